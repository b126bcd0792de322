import { sql } from 'drizzle-orm';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { Db } from '../db/client.ts';
import { notifyRunOutcome } from './alerts/notify-outcome.ts';
import type { Mailer } from './mailer.ts';
import { deliverOutboxMail } from './send-once.ts';

export interface DispatcherDeps {
  db: Db;
  mailer: Mailer;
  config: Pick<Config, 'OPS_TO' | 'CPD_MAIL_POLL_MS'>;
  log: Logger;
}

/** Mails handled per tick: a backlog drains over a few ticks instead of one long burst. */
const BATCH = 50;

/**
 * The outbox dispatcher, served by every worker process: each tick it delivers the mails that
 * are due (pending past their next attempt, or left in `sending` by a crash past the lease) and,
 * for a run's mail that failed its first attempt, queues one ops alert saying so. It owns the
 * long retry schedule, so a mail outlives the step that queued it, a failed run, or an SMTP
 * outage of hours. Rows are claimed one by one with a conditional UPDATE, so any number of
 * dispatchers never send a row twice.
 */
export function startOutboxDispatcher(deps: DispatcherDeps): { close(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = dispatchOnce(deps)
      .catch((err: unknown) =>
        deps.log.warn({ err }, 'outbox dispatcher: tick failed; trying again next tick'),
      )
      .then(() => {
        if (!stopped) timer = setTimeout(loop, deps.config.CPD_MAIL_POLL_MS);
      });
  };
  loop();
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** One pass: alert ops about delayed mails, then deliver what is due. */
export async function dispatchOnce(deps: DispatcherDeps): Promise<void> {
  const lease = deps.mailer.policy.leaseMs * 1000;
  const [delayed] = (await deps.db.execute(sql`
    SELECT o.run_key AS runKey, o.kind, o.error, o.attempts
      FROM email_outbox o
     WHERE o.status = 'pending' AND o.attempts >= 1 AND o.kind NOT LIKE 'alert-%'
       AND NOT EXISTS (SELECT 1 FROM email_outbox a WHERE a.run_key = o.run_key AND a.kind = 'alert-mail')
     LIMIT ${BATCH}`)) as unknown as [{ runKey: string; kind: string; error: string | null }[]];
  for (const d of delayed) {
    await notifyRunOutcome(deps, d.runKey, {
      kind: 'mail-delayed',
      mailKind: d.kind,
      error: d.error ?? 'unknown error',
    });
  }
  const [due] = (await deps.db.execute(sql`
    SELECT id, run_key AS runKey, kind FROM email_outbox
     WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= CURRENT_TIMESTAMP(3)))
        OR (status = 'sending' AND sending_since < CURRENT_TIMESTAMP(3) - INTERVAL ${lease} MICROSECOND)
     ORDER BY id
     LIMIT ${BATCH}`)) as unknown as [{ id: number; runKey: string; kind: string }[]];
  for (const row of due) {
    const out = await deliverOutboxMail(deps.db, deps.mailer, row.id);
    const log = deps.log.child({ runKey: row.runKey, kind: row.kind });
    if (out.sent && out.resend)
      log.warn(
        { messageId: out.messageId },
        'mail resent after a crash mid-send: it may have arrived twice, with the same Message-ID',
      );
    else if (out.sent) log.info({ messageId: out.messageId }, 'outbox: mail delivered');
    else if (out.reason === 'queued')
      log.warn({ error: out.error }, 'outbox: mail not delivered yet; will retry');
    else if (out.reason === 'gave-up') log.error({ error: out.error }, 'outbox: gave up on a mail');
  }
}
