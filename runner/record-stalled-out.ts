import { eq } from 'drizzle-orm';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import { parsePipeline } from '../config/pipeline.ts';
import type { Database } from '../db/client.ts';
import { pipelineRuns } from '../db/schema/index.ts';
import { parseStepJobId } from '../ledger/job-id.ts';
import { stalledOut } from '../ledger/run-ledger.ts';
import { modeOf } from '../modes/index.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';
import { sendFailureReport } from '../reports/failure-report.ts';
import type { Mailer } from '../reports/mailer.ts';

/** BullMQ's reason when a job stalled more than `maxStalledCount` times: the next worker to fetch it fails it without calling the step runner. */
export const STALLED_OUT_REASON = 'job stalled more than allowable limit';

export interface StalledOutDeps {
  database: Database;
  config: Config;
  mailer: Mailer;
  log: Logger;
}

/**
 * Puts a job that BullMQ failed for stalling into the ledger, as the step runner would have: the
 * attempt and the run are failed, ops get the one failure alert and stakeholders the failure
 * report. Without this the run would stay "running" until its deadline, and `cpd run --wait`
 * until its timeout. The updates are conditional and the mails go through the outbox, so
 * recording it twice changes nothing.
 */
export async function recordStalledOut(deps: StalledOutDeps, jobId: string): Promise<boolean> {
  const parsed = parseStepJobId(jobId);
  if (!parsed) return false;
  const { runKey, generation, step } = parsed;
  const { db, pool } = deps.database;
  const [run] = await db
    .select({ generation: pipelineRuns.generation, params: pipelineRuns.params })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.runKey, runKey));
  if (run?.generation !== generation) return false;
  const error = `stalled out: the job lost its lock more often than allowed (its worker crashed, was killed or starved); check the workers, then: cpd resume ${runKey}`;
  const log = deps.log.child({ runKey, step });
  log.error({ jobId }, 'job failed by BullMQ for stalling: recorded in the ledger');
  if (await stalledOut(db, runKey, step, error)) {
    await notifyRunOutcome({ db, mailer: deps.mailer, config: deps.config, log }, runKey, {
      kind: 'failed',
      generation,
      step,
      error,
      permanent: false,
    });
    const { exploratorySample } = modeOf(parsePipeline(run.params, `ledger ${runKey}`));
    await sendFailureReport(
      { db, pool, config: deps.config, mailer: deps.mailer, log, exploratorySample },
      runKey,
    );
  }
  return true;
}
