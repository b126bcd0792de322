import { eq } from 'drizzle-orm';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../config/logger.ts';
import type { Db } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import { type BoardAction, boardAction } from './board-action.ts';
import { currentUser } from './require-user.ts';

/**
 * Guards Bull Board's state-changing requests (mounted under the board's base path, after
 * requireUser): a viewer gets 403, a request from another site's page gets 403 (browsers send
 * Basic credentials along with cross-site requests), and every attempt is written to audit_log
 * before Bull Board acts on it, then completed with the status the board answered. If the
 * audit row cannot be written the action is refused: an unaudited retry is worse than none.
 */
export function auditGuard(
  db: Db,
  log: Logger,
  opts: {
    /** What a request does; Bull Board's API by default. */
    classify?: (req: Request) => BoardAction;
    /** A further reason to refuse an operator's request (e.g. a missing CSRF token). */
    refuse?: (req: Request, user: { name: string; role: string }) => string | undefined;
  } = {},
): RequestHandler {
  const classify = opts.classify ?? ((req: Request) => boardAction(req.method, req.path));
  return (req, res, next) => {
    const what = classify(req);
    if (!what.mutating) return next();
    const user = currentUser(res.locals);
    const refusal =
      user.role !== 'operator'
        ? 'the viewer role is read-only'
        : crossSite(req.headers.origin, req.headers.host)
          ? 'cross-site request'
          : opts.refuse?.(req, user);
    const row = {
      user: user.name.slice(0, 120),
      role: user.role,
      method: req.method,
      path: req.originalUrl.slice(0, 500),
      action: what.action.slice(0, 40),
      queue: what.queue?.slice(0, 64) ?? null,
      jobId: what.jobId?.slice(0, 191) ?? null,
      status: refusal ? 403 : 0,
      remoteAddr: req.socket.remoteAddress ?? null,
    };
    const alog = log.child({
      user: row.user,
      role: row.role,
      action: row.action,
      queue: row.queue,
      jobId: row.jobId,
    });
    db.insert(auditLog)
      .values(row)
      .$returningId()
      .then(([inserted]) => {
        if (refusal) {
          alog.warn({ reason: refusal }, 'board action refused');
          res.status(403).json({ error: `forbidden: ${refusal}` });
          return;
        }
        res.once('finish', () => {
          alog.info({ status: res.statusCode }, 'board action');
          if (inserted)
            db.update(auditLog)
              .set({ status: res.statusCode })
              .where(eq(auditLog.id, inserted.id))
              .catch((err: unknown) => alog.error({ err }, 'could not complete the audit row'));
        });
        next();
      })
      .catch((err: unknown) => {
        alog.error({ err }, 'could not write the audit row; action refused');
        res.status(503).json({ error: 'audit log unavailable; action refused' });
      });
  };
}

function crossSite(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
