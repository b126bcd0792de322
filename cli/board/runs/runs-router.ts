import express, { type Request, type Router } from 'express';
import type { Logger } from '../../../config/logger.ts';
import type { Db } from '../../../db/client.ts';
import { ReadRetryExhaustedError, readWithRetry } from '../../wait-run.ts';
import { auditGuard } from '../audit-guard.ts';
import type { BoardAction } from '../board-action.ts';
import { currentUser } from '../require-user.ts';
import { csrfTokens } from './csrf.ts';
import { loadGrid } from './grid-data.ts';
import { esc, page } from './html.ts';
import { renderGrids, runHref } from './render-grid.ts';
import { renderRunPage } from './render-run-page.ts';
import { ActionRefusedError, type RunControl } from './run-control.ts';
import { loadRunPage } from './run-page-data.ts';

export interface RunsRouterDeps {
  db: Db;
  log: Logger;
  /** Absent: the console is read-only for everyone (no queues to act on). */
  control?: RunControl;
  /** Where a night's report archive is; absent, the run page links no report. */
  reportDir?: (pipeline: string, businessDate: string) => string;
  /** How long a page read rides out a lost database before answering 503 (CPD_CLIENT_RETRY_MS, capped). */
  readRetryMs?: number;
}

const DEFAULT_NIGHTS = 30;
const MAX_NIGHTS = 366;
const RUN_ACTIONS = new Set(['resume', 'rerun', 'cancel', 'rollback']);
/** A browser waits this long at most for a page before it is told the database is unreachable. */
const READ_RETRY_CAP_MS = 20_000;

/** What a console request does, for the role check and audit_log (the run key goes in job_id). */
export function consoleAction(req: Pick<Request, 'method' | 'path'>): BoardAction {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method.toUpperCase()))
    return { mutating: false, action: 'view' };
  const segs = req.path.split('/').filter(Boolean).map(safeDecode);
  return { mutating: true, action: `run-${segs[2] ?? 'unknown'}`, jobId: segs[1] };
}

/**
 * The runs console, served beside Bull Board behind the same login: /runs (nights x steps per
 * pipeline), /runs/:runKey (attempts, logs, decision, gates, actions), and the operator's POSTs.
 * Every POST goes through the audit guard: viewers get 403, a post without this board's CSRF
 * token or from another site gets 403, and each is written to audit_log.
 */
export function runsRouter(deps: RunsRouterDeps): Router {
  const router = express.Router();
  const csrf = csrfTokens();
  router.use('/runs', express.urlencoded({ extended: false, limit: '4kb' }));
  router.use(
    '/runs',
    auditGuard(deps.db, deps.log, {
      classify: (req) => consoleAction({ method: req.method, path: req.originalUrl.split('?')[0]! }),
      refuse: (req, user) =>
        csrf.valid(user.name, (req.body as Record<string, unknown> | undefined)?._csrf)
          ? undefined
          : 'missing or stale CSRF token: reload the page',
    }),
  );

  // A page read rides out a short database outage (a restart, a failover) instead of a 500; past the
  // budget it answers 503 with what happened, and the page can simply be reloaded.
  const budgetMs = Math.min(deps.readRetryMs ?? READ_RETRY_CAP_MS, READ_RETRY_CAP_MS);
  const read = <T>(what: string, work: () => Promise<T>) =>
    readWithRetry(what, work, { budgetMs, notice: (line) => deps.log.warn({ what }, line.trim()) });

  router.get('/runs', (req, res, next) => {
    const nights = Math.min(MAX_NIGHTS, Math.max(1, Number(req.query.nights) || DEFAULT_NIGHTS));
    const pipeline = typeof req.query.pipeline === 'string' ? req.query.pipeline : undefined;
    read('the run ledger', () => loadGrid(deps.db, { pipeline, nights })).then((grids) => {
      res.type('html').send(page('cpd runs', renderGrids(grids, nights), currentUser(res.locals)));
    }, next);
  });

  router.get('/runs/:runKey', (req, res, next) => {
    const runKey = String(req.params.runKey);
    const generation = Number(req.query.generation) || undefined;
    read(`run ${runKey}`, () => loadRunPage(deps.db, runKey, { generation, reportDir: deps.reportDir })).then(
      (p) => {
        const user = currentUser(res.locals);
        if (!p) {
          res
            .status(404)
            .type('html')
            .send(page('not found', `<p>No run ${esc(runKey)}.</p>`, user));
          return;
        }
        const flash = typeof req.query.flash === 'string' ? req.query.flash.slice(0, 500) : undefined;
        const active = p.run.status === 'pending' || p.run.status === 'running';
        const body = renderRunPage(p, {
          canAct: user.role === 'operator' && deps.control !== undefined,
          csrf: csrf.tokenFor(user.name),
          flash,
        });
        res.type('html').send(page(runKey, body, user, active ? 5 : undefined));
      },
      next,
    );
  });

  router.get('/runs/:runKey/report', (req, res, next) => {
    const runKey = String(req.params.runKey);
    read(`run ${runKey}`, () => loadRunPage(deps.db, runKey, { reportDir: deps.reportDir })).then((p) => {
      if (!p?.reportFile) res.status(404).type('text/plain').send('no report archived for this run\n');
      else res.sendFile(p.reportFile);
    }, next);
  });

  const act = (
    runKey: string,
    work: () => Promise<string>,
    res: express.Response,
    next: express.NextFunction,
  ) => {
    work().then(
      (message) => res.redirect(303, `${runHref(runKey)}?flash=${encodeURIComponent(message)}`),
      (err: unknown) => {
        if (err instanceof ActionRefusedError)
          res.redirect(303, `${runHref(runKey)}?flash=${encodeURIComponent(`refused: ${err.message}`)}`);
        else next(err);
      },
    );
  };

  router.post('/runs/:runKey/:action', (req, res, next) => {
    const control = deps.control;
    const action = String(req.params.action);
    const runKey = String(req.params.runKey);
    if (!control) return void res.status(503).send('the console has no run control');
    if (!RUN_ACTIONS.has(action)) return void res.status(404).send('unknown action');
    const actor = currentUser(res.locals).name;
    act(
      runKey,
      () => control[action as 'resume' | 'rerun' | 'cancel' | 'rollback'](runKey, actor),
      res,
      next,
    );
  });

  router.use('/runs', (err: unknown, _req: Request, res: express.Response, next: express.NextFunction) => {
    if (!(err instanceof ReadRetryExhaustedError)) {
      next(err);
      return;
    }
    res
      .status(503)
      .type('html')
      .send(
        page(
          'database unreachable',
          `<p>${esc(err.message)}</p><p>Reload this page in a moment.</p>`,
          currentUser(res.locals),
        ),
      );
  });
  return router;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
