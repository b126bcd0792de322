import { eq, sql } from 'drizzle-orm';
import { pipelineRuns } from '../db/schema/index.ts';
import { sendOnce } from '../reports/send-once.ts';
import { renderBasicReport } from '../reports/basic-report.ts';
import { defineStep } from './define-step.ts';
import { runSummary } from './run-summary.ts';

/**
 * report: mails the night's metrics to the pipeline's recipients (once per run key, through the
 * outbox) and closes the run in the ledger.
 */
export const report = defineStep({
  name: 'report',
  jobName: 'pipeline.send-report',
  async handler({ run, db, mailer, config, log }) {
    const summary = await runSummary(db, run.runKey);
    if (!summary) throw new Error(`run ${run.runKey} vanished from the ledger`);
    const to = run.pipeline.recipients.length ? run.pipeline.recipients : config.REPORT_TO.split(',').map((s) => s.trim());
    const rendered = renderBasicReport(summary);
    const outcome = await sendOnce(db, mailer, run.runKey, 'report', { to, ...rendered });
    log.info({ outcome: outcome.sent ? 'sent' : outcome.reason, to }, 'report mail');
    await db
      .update(pipelineRuns)
      .set({ status: 'succeeded', error: null, failedStep: null, finishedAt: sql`CURRENT_TIMESTAMP(3)` })
      .where(eq(pipelineRuns.runKey, run.runKey));
    return { details: { mail: outcome.sent ? 'sent' : outcome.reason, location: outcome.sent ? (outcome.location ?? null) : null, to } };
  },
});
