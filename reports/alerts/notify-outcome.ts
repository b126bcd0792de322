import type { Config } from '../../config/env.ts';
import type { Logger } from '../../config/logger.ts';
import type { Db } from '../../db/client.ts';
import type { Mailer } from '../mailer.ts';
import { sendOnce, type SendOutcome } from '../send-once.ts';

/** Why a run missed its deadline and what to do about it: worked out by the deadline watchdog, mailed by the late-run alert. */
export interface LateRunDiagnosis {
  cause:
    | 'never-started'
    | 'failed'
    | 'waiting-retry'
    | 'waiting-input'
    | 'no-worker'
    | 'stalled'
    | 'slow'
    | 'jobs-missing'
    | 'finished';
  reason: string;
  action: string;
  facts: string[];
}

/** How a run ended badly, as far as ops are concerned. */
export type RunOutcome =
  | { kind: 'failed'; generation: number; step: string; error: string; permanent: boolean }
  | { kind: 'degraded'; generation: number; reason: string }
  | { kind: 'deadline-missed'; deadline: Date; diagnosis: LateRunDiagnosis }
  | { kind: 'mail-delayed'; mailKind: string; error: string }
  | { kind: 'orphaned'; step: string; action: 'recreated' | 'flagged'; detail: string };

export interface NotifyDeps {
  db: Db;
  mailer: Mailer;
  config: Pick<Config, 'OPS_TO'>;
  log: Logger;
}

/**
 * The one place a run's outcome is announced to ops: one mail per run outcome (never one per
 * retry), through the outbox, so a retry or a second worker cannot send it twice. A rerun is a
 * new generation and may fail anew, so failure kinds carry the generation after the first.
 */
export async function notifyRunOutcome(
  deps: NotifyDeps,
  runKey: string,
  outcome: RunOutcome,
): Promise<SendOutcome> {
  const to = deps.config.OPS_TO.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { kind, subject, lines } = alertText(runKey, outcome);
  const text = lines.join('\n');
  const html = `<pre style="font: 14px/1.4 ui-monospace, monospace">${escapeHtml(text)}</pre>`;
  const sent = await sendOnce(deps.db, deps.mailer, runKey, kind, { to, subject, text, html });
  deps.log.info({ runKey, kind, sent: sent.sent }, sent.sent ? 'ops alert sent' : 'ops alert already sent');
  return sent;
}

/** Subject and body of an ops alert: what happened, and the command that fixes it. */
export function alertText(
  runKey: string,
  outcome: RunOutcome,
): { kind: string; subject: string; lines: string[] } {
  const suffix = (g: number) => (g > 1 ? `.g${g}` : '');
  switch (outcome.kind) {
    case 'failed':
      return {
        kind: `alert-failed${suffix(outcome.generation)}`,
        subject: `[cpd] FAILED ${runKey} at ${outcome.step}`,
        lines: [
          `Run ${runKey} failed at step ${outcome.step} (${outcome.permanent ? 'permanent error: retrying as is will not help' : 'retries exhausted'}).`,
          '',
          `Error: ${outcome.error}`,
          '',
          'What to do:',
          `  cpd status ${runKey}        per-step status, attempts and the error`,
          outcome.permanent
            ? `  fix the cause (e.g. replace the bad file), then: cpd resume ${runKey}`
            : `  once the cause is gone: cpd resume ${runKey}`,
          'The later steps are waiting; resume continues from the failed step and mails the report once.',
        ],
      };
    case 'degraded':
      return {
        kind: `alert-degraded${suffix(outcome.generation)}`,
        subject: `[cpd] DEGRADED ${runKey}`,
        lines: [`Run ${runKey} finished degraded: ${outcome.reason}`, '', `Details: cpd status ${runKey}`],
      };
    case 'mail-delayed':
      return {
        kind: 'alert-mail',
        subject: `[cpd] MAIL DELAYED ${runKey}: ${outcome.mailKind} not delivered yet`,
        lines: [
          `The ${outcome.mailKind} mail of run ${runKey} could not be delivered: ${outcome.error}`,
          '',
          'The outbox keeps retrying it (CPD_MAIL_RETRY_MS, doubling up to CPD_MAIL_RETRY_MAX_MS) and sends it once the mail server answers.',
          `Details: cpd status ${runKey}; the email_outbox table has each mail's status, attempts and last error.`,
        ],
      };
    case 'orphaned':
      return {
        kind: 'alert-orphan',
        subject: `[cpd] ORPHANED ${runKey}: no job left for step ${outcome.step}`,
        lines: [
          `Run ${runKey} was running but step ${outcome.step} had no job in Redis (queue data lost or deleted).`,
          '',
          outcome.action === 'recreated'
            ? `The reconciler re-created the missing jobs: ${outcome.detail}`
            : `The run is flagged; nothing was re-created (CPD_RECONCILE_ACTION=alert). ${outcome.detail}`,
          '',
          outcome.action === 'recreated'
            ? `Watch it: cpd status ${runKey}`
            : `To continue it: cpd resume ${runKey}`,
        ],
      };
    case 'deadline-missed':
      return {
        kind: 'alert-deadline',
        subject: `[cpd] LATE ${runKey}: not finished by ${outcome.deadline.toISOString()}`,
        lines: [
          `Run ${runKey} had not finished at its deadline (${outcome.deadline.toISOString()}).`,
          '',
          `Why: ${outcome.diagnosis.reason}`,
          '',
          `What to do: ${outcome.diagnosis.action}`,
          ...(outcome.diagnosis.facts.length
            ? ['', 'Facts:', ...outcome.diagnosis.facts.map((f) => `  ${f}`)]
            : []),
        ],
      };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
