import { eq } from 'drizzle-orm';
import { pipelineRuns } from '../db/schema/index.ts';
import { runFinished } from '../ledger/run-ledger.ts';
import { modeOf } from '../modes/index.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';
import { sendRunReport } from '../reports/send-run-report.ts';
import { defineStep } from '../runner/step.ts';

/**
 * report: gathers the night from MySQL, renders the stakeholder report (charts inline), writes
 * its archive, mails it once per run key through the outbox, and closes the run in the ledger:
 * succeeded, or degraded when a publish gate kept yesterday's scores (ops get their alert too).
 * Rendering takes about a second of CPU: no progress beyond start and end is worth reporting.
 */
export const report = defineStep({
  name: 'report',
  async handler({ run, db, pool, mailer, config, log, progress }) {
    await progress(10);
    const exploratorySample = modeOf(run.pipeline).exploratorySample;
    const outcome = await sendRunReport({ db, pool, config, mailer, log, exploratorySample }, run.runKey);
    const status = outcome.status === 'degraded' ? 'degraded' : 'succeeded';
    await runFinished(db, run.runKey, status, outcome.problem);
    if (status === 'degraded') {
      const [ledger] = await db
        .select({ generation: pipelineRuns.generation })
        .from(pipelineRuns)
        .where(eq(pipelineRuns.runKey, run.runKey));
      await notifyRunOutcome({ db, mailer, config, log }, run.runKey, {
        kind: 'degraded',
        generation: ledger?.generation ?? 1,
        reason: outcome.problem ?? 'degraded',
      });
    }
    return {
      details: {
        status,
        mail: outcome.mail.sent ? 'sent' : outcome.mail.reason,
        kind: outcome.kind,
        location: outcome.mail.sent ? (outcome.mail.location ?? null) : null,
        archive: outcome.archive,
        mailSize: outcome.size,
        to: outcome.to,
      },
    };
  },
});
