import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { Database } from '../db/client.ts';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import type { Mailer } from '../reports/mailer.ts';
import { sendFailureReport } from '../reports/failure-report.ts';
import { stepNames, type StepName } from '../config/steps.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';

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
  const parsed = /^(.+)\.g(\d+)\.([a-z]+)$/.exec(jobId);
  if (!parsed || !(stepNames as readonly string[]).includes(parsed[3]!)) return false;
  const runKey = parsed[1]!;
  const generation = Number(parsed[2]);
  const step = parsed[3] as StepName;
  const { db, pool } = deps.database;
  const [run] = await db.select({ generation: pipelineRuns.generation }).from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (run?.generation !== generation) return false;
  const error = `stalled out: the job lost its lock more often than allowed (its worker crashed, was killed or starved); check the workers, then: cpd resume ${runKey}`;
  const log = deps.log.child({ runKey, step });
  log.error({ jobId }, 'job failed by BullMQ for stalling: recorded in the ledger');
  const finishedAt = sql`CURRENT_TIMESTAMP(3)`;
  await db
    .update(stepRuns)
    .set({ status: 'failed', errorKind: 'transient', error, finishedAt })
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step), eq(stepRuns.status, 'running')));
  const [res] = await db
    .update(pipelineRuns)
    .set({ status: 'failed', failedStep: step, error: `${step}: ${error}`, finishedAt })
    .where(and(eq(pipelineRuns.runKey, runKey), inArray(pipelineRuns.status, ['pending', 'running'])));
  if ((res as unknown as { affectedRows: number }).affectedRows === 1) {
    await notifyRunOutcome({ db, mailer: deps.mailer, config: deps.config, log }, runKey, { kind: 'failed', generation, step, error, permanent: false });
    await sendFailureReport({ db, pool, config: deps.config, mailer: deps.mailer, log }, runKey);
  }
  return true;
}
