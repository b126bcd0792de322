import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DelayedError, type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import { parsePipeline, type Pipeline } from '../config/pipeline.ts';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Database } from '../db/client.ts';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { parseStepJobId } from '../ledger/job-id.ts';
import {
  attemptFailed,
  attemptWaiting,
  runFailed,
  runStarted,
  stepAttemptStarted,
  stepSucceeded,
} from '../ledger/run-ledger.ts';
import { modeOf } from '../modes/index.ts';
import { type StepResult } from '../pipeline/context.ts';
import {
  boundedMessage,
  InputsNotReadyError,
  isPermanent,
  loggableError,
  oversizedStatement,
  permanentDatabaseError,
  PermanentError,
} from '../pipeline/errors.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';
import { sendFailureReport } from '../reports/failure-report.ts';
import type { Mailer } from '../reports/mailer.ts';
import { openAttemptLog } from './attempt-log-sink.ts';
import { fanOutChildren, FanOutWaiting } from './fan-out.ts';
import { type StepDefinition } from './step.ts';
import { stepTimeout } from './step-timeout.ts';
import { WaitForInputError } from './wait-for-input.ts';

export const stepJobDataSchema = z.object({
  runKey: z.string().min(3).max(120),
  step: z.enum(stepNames),
  /** Set by the runner when a sensor first found its input missing (epoch ms). */
  waitingSince: z.number().int().positive().optional(),
  /** Set by the runner when the step first fanned out (epoch ms): its duration counts from here. */
  fanOutSince: z.number().int().positive().optional(),
});

export interface StepRunnerDeps {
  database: Database;
  config: Config;
  mailer: Mailer;
  log: Logger;
  worker: string;
}

/** How long a second worker waits for the run lock before giving up and retrying later. */
const LOCK_WAIT_S = 60;

/**
 * Runs one step job: parses the payload, checks the step's inputs are complete, takes the
 * run-and-step lock (a stalled job redelivered to a second worker cannot run concurrently),
 * records the attempt in step_runs, and maps failures: a PermanentError fails the run at once
 * (UnrecoverableError), anything else is retried with backoff until attempts run out.
 */
export async function runStep(
  deps: StepRunnerDeps,
  def: StepDefinition,
  job: Job,
  signal?: AbortSignal,
  token?: string,
): Promise<StepResult> {
  const parsed = stepJobDataSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`job ${job.id}: invalid payload: ${parsed.error.message}`);
  const { runKey, step } = parsed.data;
  if (step !== def.name) throw new UnrecoverableError(`job ${job.id} is for step ${step}, not ${def.name}`);
  const { db, pool } = deps.database;
  const attempt = job.attemptsMade + 1;
  // The job id names the generation, so the attempt's lines are keyed before the ledger is read.
  const jobGeneration = (job.id && parseStepJobId(job.id)?.generation) || 1;
  const attemptLog = openAttemptLog({ db: deps.database.db, log: deps.log }, job, {
    runKey,
    step,
    generation: jobGeneration,
    attempt,
  });
  const log = attemptLog.log;
  const started = performance.now();
  const waitingSince = parsed.data.waitingSince ?? Date.now();
  const finalAttempt = attempt >= (job.opts.attempts ?? 1);

  const lockConn = await pool.getConnection();
  let stepRunId: number | undefined;
  let generation = jobGeneration;
  let pipeline: Pipeline | undefined;
  try {
    const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    if (!run) throw new PermanentError(`run ${runKey} is not in the ledger`);
    if (run.status === 'cancelled') throw new PermanentError(`run ${runKey} was cancelled`);
    pipeline = parsePipeline(run.params, `ledger ${runKey}`);
    generation = run.generation;
    await assertInputsComplete(deps, runKey, def);

    const lockName = `cpd:${createHash('sha1').update(`${deps.database.name}/${runKey}/${step}`).digest('hex')}`;
    const [lockRows] = await lockConn.query('SELECT GET_LOCK(?, ?) AS got', [lockName, LOCK_WAIT_S]);
    if ((lockRows as { got: number | null }[])[0]?.got !== 1) {
      throw new Error(
        `step ${step} of ${runKey} is being run by another worker (lock busy for ${LOCK_WAIT_S}s)`,
      );
    }
    const done = job.stalledCounter > 0 ? await succeededSince(deps, runKey, step, job.timestamp) : undefined;
    if (done) {
      // A redelivered job whose earlier delivery finished after losing its lock (a starved event
      // loop): the output is complete, so doing the work again would only risk stalling again.
      log.warn('redelivered after a stall, but this step already succeeded for this job: not run again');
      return done;
    }
    // Holding the lock, no other attempt of this step runs: one still 'running' is recorded as interrupted.
    stepRunId = await stepAttemptStarted(db, {
      runKey,
      step,
      attempt,
      generation: jobGeneration,
      worker: deps.worker,
    });
    await runStarted(db, runKey);
    log.info('step started');

    // The pipeline's per-step timeout aborts the handler's signal; the lock is held until it returns.
    const timeout = stepTimeout(signal, pipeline.timeouts[step], `step ${step}`);
    const runPipeline = pipeline;
    // The longest stretch the event loop was blocked: it must stay well under lockDuration, or
    // BullMQ cannot renew the job lock and redelivers the job while this worker still runs it.
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const handled = await timeout
      .run((stepSignal) =>
        def.handler({
          run: { runKey, pipeline: runPipeline, businessDate: run.businessDate },
          attempt,
          db,
          pool,
          config: deps.config,
          mailer: deps.mailer,
          log,
          signal: stepSignal,
          progress: (p) => job.updateProgress(Math.max(0, Math.min(100, p))),
          waitingSince,
          fanOut: (chunks) =>
            fanOutChildren(job, deps.config, { runKey, generation: jobGeneration, step }, chunks),
        }),
      )
      .finally(() => loop.disable());
    const eventLoopMaxMs = Math.round(loop.max / 1e6);
    const result = { ...handled, details: { ...handled.details, eventLoopMaxMs } };
    // A fanned-out step's time includes its chunks' (the job waited for them between deliveries).
    const fanOutSince = parsed.data.fanOutSince;
    const durationMs = fanOutSince ? Date.now() - fanOutSince : Math.round(performance.now() - started);
    log.info(
      {
        durationMs,
        rowsIn: result.rowsIn,
        rowsOut: result.rowsOut,
        rowsRejected: result.rowsRejected,
        eventLoopMaxMs,
      },
      'step succeeded',
    );
    await attemptLog.flush();
    await stepSucceeded(db, stepRunId!, { durationMs, ...result });
    return result;
  } catch (caught) {
    const err = (await oversizedStatement(caught, () => maxAllowedPacket(pool))) ?? caught;
    if (err instanceof WaitForInputError && token) {
      // The job goes back to the delayed set until the next look: no worker slot is held and no
      // attempt is spent (BullMQ does not count a DelayedError as a failure).
      const durationMs = Math.round(performance.now() - started);
      const next = new Date(err.untilMs).toISOString();
      if (stepRunId !== undefined)
        await attemptWaiting(
          db,
          stepRunId,
          `waiting for input: ${err.waitingFor} (next look ${next})`,
          durationMs,
        );
      await job.updateData({ ...parsed.data, waitingSince });
      await job.moveToDelayed(err.untilMs, token);
      log.info({ waitingFor: err.waitingFor, nextLook: next }, 'input missing: waiting for it');
      throw new DelayedError();
    }
    if (err instanceof FanOutWaiting && token) {
      // Like a sensor's wait: the same attempt, holding no worker, until every chunk is done.
      const durationMs = Math.round(performance.now() - started);
      if (stepRunId !== undefined)
        await attemptWaiting(
          db,
          stepRunId,
          `fanned out: ${err.pending} of ${err.count} chunks left for the workers of queue ${step}`,
          durationMs,
        );
      await job.updateData({
        ...parsed.data,
        fanOutSince: parsed.data.fanOutSince ?? Date.now() - durationMs,
      });
      log.info({ pending: err.pending, chunks: err.count }, 'fanned out: waiting for the chunks');
      await attemptLog.flush();
      if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
      // Every chunk finished between adding them and this line: run the handler again now.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    const permanent = isPermanent(err) || err instanceof UnrecoverableError;
    const message = errorMessage(err);
    const durationMs = Math.round(performance.now() - started);
    // Never the raw error: mysql2/Drizzle errors carry the SQL with every bound value (a whole model).
    log.error({ err: loggableError(err), permanent, finalAttempt }, 'step failed');
    await attemptLog.flush();
    const record = () =>
      recordFailure(
        deps,
        runKey,
        step,
        { attempt, generation: jobGeneration },
        stepRunId,
        message,
        permanent,
        durationMs,
        permanent || finalAttempt,
      );
    // Once more on failure: a server that refused a packet closes that connection, and the pool
    // may hand it out once before it learns so; the second try gets a live one.
    await record()
      .catch(record)
      .catch((e: unknown) =>
        log.error({ err: loggableError(e) }, 'could not record the failure in the ledger'),
      );
    if (permanent || finalAttempt)
      await reportFinalFailure(deps, log, { runKey, generation, step, message, permanent }, pipeline);
    if (permanent && !(err instanceof UnrecoverableError)) throw new UnrecoverableError(message);
    // BullMQ keeps the message and stack in Redis and shows them: a retried error goes bounded too.
    if (err instanceof Error && err.message !== message) throw new Error(message, { cause: caught });
    throw err;
  } finally {
    // A connection that cannot release its locks is broken (e.g. killed): drop it, never reuse it.
    await lockConn.query('SELECT RELEASE_ALL_LOCKS()').then(
      () => lockConn.release(),
      () => lockConn.destroy(),
    );
    await attemptLog.close();
  }
}

/** The mails of a failed run: the ops alert and the stakeholders' failure report; never throws. */
export async function reportFinalFailure(
  deps: StepRunnerDeps,
  log: Logger,
  f: { runKey: string; generation: number; step: StepName; message: string; permanent: boolean },
  pipeline?: Pipeline,
): Promise<void> {
  const { db, pool } = deps.database;
  // One ops mail per failed run (the outbox dedupes), never one per retry; a mail problem must not hide the step's error.
  await notifyFailed(deps, f.runKey, f.generation, f.step, f.message, f.permanent).catch((e: unknown) =>
    log.error({ err: loggableError(e) }, 'could not send the ops alert'),
  );
  // The stakeholders' failure report: what failed, why, what was kept, how to resume.
  const exploratorySample = pipeline ? modeOf(pipeline).exploratorySample : undefined;
  await sendFailureReport(
    { db, pool, config: deps.config, mailer: deps.mailer, log, exploratorySample },
    f.runKey,
  ).catch((e: unknown) => log.error({ err: loggableError(e) }, 'could not send the failure report'));
}

async function notifyFailed(
  deps: StepRunnerDeps,
  runKey: string,
  generation: number,
  step: StepName,
  error: string,
  permanent: boolean,
): Promise<void> {
  const { db } = deps.database;
  const [run] = await db
    .select({ status: pipelineRuns.status, failedStep: pipelineRuns.failedStep })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.runKey, runKey));
  if (run?.status !== 'failed' || run.failedStep !== step) return;
  await notifyRunOutcome(
    { db, mailer: deps.mailer, config: deps.config, log: deps.log.child({ runKey, step }) },
    runKey,
    { kind: 'failed', generation, step, error, permanent },
  );
}

/** The figures of this step's latest attempt if it succeeded after the job was created (same session clock). */
async function succeededSince(
  deps: StepRunnerDeps,
  runKey: string,
  step: StepName,
  jobCreatedMs: number,
): Promise<StepResult | undefined> {
  const [last] = await deps.database.db
    .select({
      status: stepRuns.status,
      rowsIn: stepRuns.rowsIn,
      rowsOut: stepRuns.rowsOut,
      rowsRejected: stepRuns.rowsRejected,
      details: stepRuns.details,
      after: sql<number>`${stepRuns.startedAt} >= FROM_UNIXTIME(${jobCreatedMs / 1000})`,
    })
    .from(stepRuns)
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step)))
    .orderBy(desc(stepRuns.id))
    .limit(1);
  if (last?.status !== 'succeeded' || Number(last.after) !== 1) return undefined;
  return {
    rowsIn: last.rowsIn ?? undefined,
    rowsOut: last.rowsOut ?? undefined,
    rowsRejected: last.rowsRejected ?? undefined,
    details: (last.details as Record<string, unknown> | null) ?? undefined,
  };
}

async function assertInputsComplete(
  deps: StepRunnerDeps,
  runKey: string,
  def: StepDefinition,
): Promise<void> {
  const index = stepNames.indexOf(def.name);
  if (index === 0) return;
  const previous = stepNames[index - 1]!;
  const [last] = await deps.database.db
    .select({ status: stepRuns.status })
    .from(stepRuns)
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, previous)))
    .orderBy(desc(stepRuns.id))
    .limit(1);
  if (last?.status !== 'succeeded') {
    throw new InputsNotReadyError(
      `inputs of ${def.name} are not complete: step ${previous} is ${last?.status ?? 'not run'}; resume the run instead`,
    );
  }
}

async function recordFailure(
  deps: StepRunnerDeps,
  runKey: string,
  step: StepName,
  attempt: { attempt: number; generation: number },
  stepRunId: number | undefined,
  message: string,
  permanent: boolean,
  durationMs: number,
  failRun: boolean,
): Promise<void> {
  const { db } = deps.database;
  await attemptFailed(db, {
    runKey,
    step,
    ...attempt,
    worker: deps.worker,
    stepRunId,
    error: message,
    permanent,
    durationMs,
  });
  if (failRun) await runFailed(db, runKey, step, message);
}

async function maxAllowedPacket(pool: Database['pool']): Promise<number> {
  const [rows] = await pool.query('SELECT @@max_allowed_packet AS p');
  return Number((rows as { p: number | string }[])[0]!.p);
}

function errorMessage(err: unknown): string {
  const message = boundedMessage(err);
  const kind = permanentDatabaseError(err);
  return kind && !message.includes(kind) ? `${message} (${kind}: not retried)` : message;
}
