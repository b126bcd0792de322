import { createHash } from 'node:crypto';
import { type Job, UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { parsePipeline } from '../config/pipeline.ts';
import { pipelineRuns } from '../db/schema/index.ts';
import { parseChunkJobId } from '../ledger/job-id.ts';
import { fanOutFailed } from '../ledger/run-ledger.ts';
import { boundedMessage, isPermanent, loggableError, PermanentError } from '../pipeline/errors.ts';
import { chunkJobDataSchema } from './fan-out.ts';
import { reportFinalFailure, type StepRunnerDeps } from './run-step.ts';
import type { ChunkOutcome, StepDefinition } from './step.ts';
import { stepTimeout } from './step-timeout.ts';

/** How long a redelivered chunk waits for a still-running delivery of itself. */
const LOCK_WAIT_S = 60;

/**
 * Runs one chunk of a fanned-out step: parses the payload (ids only), takes the chunk's own lock
 * (a stalled chunk redelivered elsewhere never runs twice at once), and runs the step's chunk
 * work. Its outcome is the child job's return value, which the parent combines; attempts are
 * BullMQ's. When a chunk fails for good, the step's waiting attempt and the run fail with it.
 */
export async function runChunk(
  deps: StepRunnerDeps,
  def: StepDefinition,
  job: Job,
  signal?: AbortSignal,
): Promise<ChunkOutcome> {
  const parsed = chunkJobDataSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`job ${job.id}: invalid chunk payload: ${parsed.error.message}`);
  const { runKey, step, chunk } = parsed.data;
  if (step !== def.name || !def.chunk)
    throw new UnrecoverableError(
      `job ${job.id} is a chunk of step ${step}, which ${def.name} does not fan out`,
    );
  const generation = (job.id && parseChunkJobId(job.id)?.generation) || 1;
  const attempt = job.attemptsMade + 1;
  const log = deps.log.child({ runKey, step, chunk: chunk.index, attempt, jobId: job.id });
  const { db, pool } = deps.database;
  const started = performance.now();
  const lockConn = await pool.getConnection();
  try {
    const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    if (!run) throw new PermanentError(`run ${runKey} is not in the ledger`);
    if (run.status === 'cancelled') throw new PermanentError(`run ${runKey} was cancelled`);
    const pipeline = parsePipeline(run.params, `ledger ${runKey}`);
    const name = `cpd:${createHash('sha1').update(`${deps.database.name}/${runKey}/${step}/c${chunk.index}`).digest('hex')}`;
    const [got] = await lockConn.query('SELECT GET_LOCK(?, ?) AS got', [name, LOCK_WAIT_S]);
    if ((got as { got: number | null }[])[0]?.got !== 1)
      throw new Error(`chunk ${chunk.index} of ${step} ${runKey} is being run by another worker`);
    log.info({ rows: chunk.rows }, 'chunk started');
    const timeout = stepTimeout(signal, pipeline.timeouts[step], `chunk ${chunk.index} of step ${step}`);
    const outcome = await timeout.run((chunkSignal) =>
      def.chunk!({
        run: { runKey, pipeline, businessDate: run.businessDate },
        attempt,
        db,
        pool,
        config: deps.config,
        mailer: deps.mailer,
        log,
        signal: chunkSignal,
        progress: (p) => job.updateProgress(Math.max(0, Math.min(100, p))),
        chunk,
      }),
    );
    const ms = Math.round(performance.now() - started);
    log.info({ rows: outcome.rows, ms }, 'chunk succeeded');
    return { ...outcome, worker: deps.worker, attempt, ms };
  } catch (err) {
    const permanent = isPermanent(err) || err instanceof UnrecoverableError;
    const message = `chunk ${chunk.index + 1} of ${chunk.count}: ${boundedMessage(err)}`;
    const final = permanent || attempt >= (job.opts.attempts ?? 1);
    log.error({ err: loggableError(err), permanent, final }, 'chunk failed');
    if (final) {
      const record = () => fanOutFailed(db, { runKey, step, generation, error: message, permanent });
      await record()
        .catch(record)
        .catch((e: unknown) =>
          log.error({ err: loggableError(e) }, 'could not record the failure in the ledger'),
        );
      await reportFinalFailure(deps, log, { runKey, generation, step, message, permanent });
    }
    if (permanent) throw new UnrecoverableError(message);
    throw new Error(message, { cause: err });
  } finally {
    await lockConn.query('SELECT RELEASE_ALL_LOCKS()').then(
      () => lockConn.release(),
      () => lockConn.destroy(),
    );
  }
}
