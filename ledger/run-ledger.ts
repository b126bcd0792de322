import { and, eq, inArray, like, notInArray, sql } from 'drizzle-orm';
import type { Pipeline } from '../config/pipeline.ts';
import type { StepName } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, type RunStatus, stepRuns } from '../db/schema/index.ts';

/**
 * The run ledger's writes: the only code that sets pipeline_runs.status or step_runs.status.
 * Each transition is one named function whose SQL guard is the transition's precondition, so a
 * late, repeated or concurrent caller changes nothing instead of undoing a newer state.
 *
 * pipeline_runs.status
 *   (none)                                -> pending    createRun
 *   succeeded|degraded|failed|cancelled   -> pending    rerunAsNewGeneration (generation + 1)
 *   pending|running|failed                -> running    runStarted (a step attempt began)
 *   pending|running                       -> failed     runFailed, stalledOut
 *   running                               -> failed     failedBeforeRestart (same generation)
 *   any, same generation                  -> running    reopenedForRetry
 *   any                                   -> degraded   runDegraded (a publish gate blocked)
 *   degraded by that step                 -> running    degradedCleared (its retry passed)
 *   any                                   -> succeeded|degraded   runFinished (the report step)
 *   pending|running|failed                -> cancelled  runCancelled
 *
 * step_runs.status (one row per attempt)
 *   (none)   -> running              stepAttemptStarted
 *   running  -> failed (interrupted) stepAttemptStarted (an earlier attempt whose worker died), stalledOut
 *   running  -> waiting              attemptWaiting (a sensor waits for a late input)
 *   waiting  -> running              stepAttemptStarted (the same attempt looks again)
 *   running  -> succeeded            stepSucceeded
 *   running  -> failed, or a new failed row when the attempt never got one   attemptFailed
 */

const ACTIVE: RunStatus[] = ['pending', 'running'];

/** A run in progress: a rerun never interrupts one. */
export function isActive(status: RunStatus): boolean {
  return ACTIVE.includes(status);
}

const changedOne = (res: { affectedRows: number }): boolean => res.affectedRows === 1;

/** The ledger row of a new run, pending. Returns whether this caller created it (the unique run key decides). */
export async function createRun(
  db: Db,
  runKey: string,
  businessDate: string,
  pipeline: Pipeline,
): Promise<boolean> {
  // INSERT IGNORE: affectedRows is 1 only for the caller that created the row (with ON DUPLICATE
  // KEY UPDATE, mysql2's FOUND_ROWS flag reports 1 for an unchanged duplicate too).
  const [res] = await db
    .insert(pipelineRuns)
    .ignore()
    .values({ runKey, pipeline: pipeline.name, businessDate, status: 'pending', params: pipeline });
  return changedOne(res);
}

/** A finished run starts again as the next generation (fresh job ids). False if it is active or another caller bumped it first. */
export async function rerunAsNewGeneration(
  db: Db,
  runKey: string,
  generation: number,
  pipeline: Pipeline,
): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({
      generation: generation + 1,
      status: 'pending',
      params: pipeline,
      error: null,
      failedStep: null,
      startedAt: null,
      finishedAt: null,
    })
    .where(
      and(
        eq(pipelineRuns.runKey, runKey),
        eq(pipelineRuns.generation, generation),
        notInArray(pipelineRuns.status, ACTIVE),
      ),
    );
  return changedOne(res);
}

/**
 * A new attempt of a step, recorded as running; returns its step_runs id. The caller holds the
 * run-and-step lock, so a row still 'running' belongs to a worker that died mid-step (its job
 * was redelivered as stalled): that attempt is recorded as interrupted first.
 */
export async function stepAttemptStarted(
  db: Db,
  attempt: { runKey: string; step: StepName; attempt: number; worker: string; generation?: number },
): Promise<number | undefined> {
  // A sensor looking again is the same attempt, not a new one: its waiting row runs again.
  const [waiting] = await db
    .select({ id: stepRuns.id })
    .from(stepRuns)
    .where(
      and(
        eq(stepRuns.runKey, attempt.runKey),
        eq(stepRuns.step, attempt.step),
        eq(stepRuns.generation, attempt.generation ?? 1),
        eq(stepRuns.attempt, attempt.attempt),
        eq(stepRuns.status, 'waiting'),
      ),
    );
  if (waiting) {
    await db.update(stepRuns).set({ status: 'running', error: null }).where(eq(stepRuns.id, waiting.id));
    return waiting.id;
  }
  await failRunningAttempts(
    db,
    attempt.runKey,
    attempt.step,
    'interrupted: the worker stopped during this attempt; the job was redelivered',
  );
  const [ins] = await db
    .insert(stepRuns)
    .values({ ...attempt, status: 'running' })
    .$returningId();
  return ins?.id;
}

/** A step attempt began: the run is running (again, after a failed step job was retried), and keeps its first start time. */
export async function runStarted(db: Db, runKey: string): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({ status: 'running', startedAt: sql`COALESCE(started_at, CURRENT_TIMESTAMP(3))` })
    .where(
      and(eq(pipelineRuns.runKey, runKey), inArray(pipelineRuns.status, ['pending', 'failed', 'running'])),
    );
  return changedOne(res);
}

/** What a step reports about its work; stored on its attempt. */
export interface AttemptFigures {
  durationMs: number;
  rowsIn?: number;
  rowsOut?: number;
  rowsRejected?: number;
  details?: Record<string, unknown>;
}

export async function stepSucceeded(db: Db, stepRunId: number, figures: AttemptFigures): Promise<void> {
  await db
    .update(stepRuns)
    .set({
      status: 'succeeded',
      finishedAt: sql`CURRENT_TIMESTAMP(3)`,
      durationMs: figures.durationMs,
      rowsIn: figures.rowsIn ?? null,
      rowsOut: figures.rowsOut ?? null,
      rowsRejected: figures.rowsRejected ?? null,
      details: figures.details ?? null,
    })
    .where(eq(stepRuns.id, stepRunId));
}

/** The attempt waits for a late input; `note` says what for (shown where an error would be). */
export async function attemptWaiting(
  db: Db,
  stepRunId: number,
  note: string,
  durationMs: number,
): Promise<void> {
  await db
    .update(stepRuns)
    .set({ status: 'waiting', error: note, durationMs })
    .where(and(eq(stepRuns.id, stepRunId), eq(stepRuns.status, 'running')));
}

/** An attempt failed. One that failed before it was recorded (e.g. its inputs were not ready) gets its row now. */
export async function attemptFailed(
  db: Db,
  attempt: {
    runKey: string;
    step: StepName;
    attempt: number;
    generation?: number;
    worker: string;
    stepRunId: number | undefined;
    error: string;
    permanent: boolean;
    durationMs: number;
  },
): Promise<void> {
  const { stepRunId, runKey, step, worker, error, durationMs } = attempt;
  const values = {
    status: 'failed' as const,
    errorKind: attempt.permanent ? ('permanent' as const) : ('transient' as const),
    error,
    durationMs,
    finishedAt: sql`CURRENT_TIMESTAMP(3)`,
  };
  if (stepRunId !== undefined) await db.update(stepRuns).set(values).where(eq(stepRuns.id, stepRunId));
  else
    await db
      .insert(stepRuns)
      .values({ runKey, step, attempt: attempt.attempt, generation: attempt.generation, worker, ...values });
}

/**
 * A chunk of a fanned-out step failed for good: the step's attempt, waiting for its chunks, fails
 * with that error (the run is failed by runFailed, as for any step).
 */
export async function fanOutFailed(
  db: Db,
  f: { runKey: string; step: StepName; generation: number; error: string; permanent: boolean },
): Promise<void> {
  await db
    .update(stepRuns)
    .set({
      status: 'failed',
      errorKind: f.permanent ? 'permanent' : 'transient',
      error: f.error,
      finishedAt: sql`CURRENT_TIMESTAMP(3)`,
    })
    .where(
      and(
        eq(stepRuns.runKey, f.runKey),
        eq(stepRuns.step, f.step),
        eq(stepRuns.generation, f.generation),
        eq(stepRuns.status, 'waiting'),
      ),
    );
  await runFailed(db, f.runKey, f.step, f.error);
}

/** The run failed at `step` (a permanent error, or its retries ran out). False if it had already ended. */
export async function runFailed(db: Db, runKey: string, step: StepName, error: string): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({
      status: 'failed',
      failedStep: step,
      error: `${step}: ${error}`,
      finishedAt: sql`CURRENT_TIMESTAMP(3)`,
    })
    .where(and(eq(pipelineRuns.runKey, runKey), inArray(pipelineRuns.status, ACTIVE)));
  return changedOne(res);
}

/**
 * BullMQ failed the step's job for stalling, without calling the step runner: its running attempt
 * and the run are failed. Returns whether the run changed (false when recorded already).
 */
export async function stalledOut(db: Db, runKey: string, step: StepName, error: string): Promise<boolean> {
  await failRunningAttempts(db, runKey, step, error);
  return runFailed(db, runKey, step, error);
}

/** A publish gate kept yesterday's scores: the run goes on, degraded, with why in `error`. */
export async function runDegraded(db: Db, runKey: string, error: string): Promise<void> {
  await db.update(pipelineRuns).set({ status: 'degraded', error }).where(eq(pipelineRuns.runKey, runKey));
}

/** A retry of the step that degraded the run passed: only its own mark (error starting with `errorPrefix`) is undone. */
export async function degradedCleared(db: Db, runKey: string, errorPrefix: string): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({ status: 'running', error: null })
    .where(
      and(
        eq(pipelineRuns.runKey, runKey),
        eq(pipelineRuns.status, 'degraded'),
        like(pipelineRuns.error, `${errorPrefix}%`),
      ),
    );
  return changedOne(res);
}

/** The last step closed the run: succeeded, or degraded with the reason (a succeeded run keeps no error). */
export async function runFinished(
  db: Db,
  runKey: string,
  status: 'succeeded' | 'degraded',
  degradedReason?: string,
): Promise<void> {
  await db
    .update(pipelineRuns)
    .set({
      status,
      error: status === 'degraded' ? (degradedReason ?? null) : null,
      failedStep: null,
      finishedAt: sql`CURRENT_TIMESTAMP(3)`,
    })
    .where(eq(pipelineRuns.runKey, runKey));
}

/** The operator stopped the run; an earlier error is kept after the reason. False if it had finished (or was cancelled) already. */
export async function runCancelled(db: Db, runKey: string): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({
      status: 'cancelled',
      error: sql`CONCAT('cancelled by operator', IF(error IS NULL, '', CONCAT(' after: ', error)))`,
      finishedAt: sql`CURRENT_TIMESTAMP(3)`,
    })
    .where(
      and(eq(pipelineRuns.runKey, runKey), inArray(pipelineRuns.status, ['pending', 'running', 'failed'])),
    );
  return changedOne(res);
}

/** Resume retries the failed step job of this generation: the run is running again, its failure forgotten. */
export async function reopenedForRetry(db: Db, runKey: string, generation: number): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({ status: 'running', error: null, failedStep: null, finishedAt: null })
    .where(and(eq(pipelineRuns.runKey, runKey), eq(pipelineRuns.generation, generation)));
  return changedOne(res);
}

/** Resume restarts this generation from collect: a run still 'running' is failed first, so the rerun applies. */
export async function failedBeforeRestart(db: Db, runKey: string, generation: number): Promise<boolean> {
  const [res] = await db
    .update(pipelineRuns)
    .set({ status: 'failed', finishedAt: sql`COALESCE(finished_at, CURRENT_TIMESTAMP(3))` })
    .where(
      and(
        eq(pipelineRuns.runKey, runKey),
        eq(pipelineRuns.generation, generation),
        eq(pipelineRuns.status, 'running'),
      ),
    );
  return changedOne(res);
}

async function failRunningAttempts(db: Db, runKey: string, step: StepName, error: string): Promise<void> {
  await db
    .update(stepRuns)
    .set({ status: 'failed', errorKind: 'transient', error, finishedAt: sql`CURRENT_TIMESTAMP(3)` })
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step), eq(stepRuns.status, 'running')));
}
