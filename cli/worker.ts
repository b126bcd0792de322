import os from 'node:os';
import { Worker } from 'bullmq';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { StepName } from '../config/steps.ts';
import { createDatabase } from '../db/client.ts';
import { steps } from '../jobs/index.ts';
import { parseStepJobId } from '../ledger/job-id.ts';
import { warmThreadEntries } from '../ml/forest/thread-entry.ts';
import { warmSpoolText } from '../pipeline/publish/spool-text-pool.ts';
import { createMailer } from '../reports/mailer.ts';
import { startOutboxDispatcher } from '../reports/outbox-dispatcher.ts';
import { isChunkJob } from '../runner/fan-out.ts';
import { recordStalledOut, STALLED_OUT_REASON } from '../runner/record-stalled-out.ts';
import { runChunk } from '../runner/run-chunk.ts';
import { runStep } from '../runner/run-step.ts';
import { redisConnection } from '../workflows/queues.ts';

export interface RunningWorkers {
  queues: StepName[];
  /** Graceful: stops taking jobs and lets the active ones finish. */
  close(): Promise<void>;
  /** Immediate: the active jobs are redelivered by another worker once their locks expire. */
  forceClose(): Promise<void>;
}

/**
 * Starts one BullMQ worker per queue served by this process. Concurrency is 1: the steps are
 * heavy and a run's steps are sequential anyway; scale with more processes, not more slots.
 */
export async function startWorkers(config: Config, log: Logger, queues: StepName[]): Promise<RunningWorkers> {
  const database = createDatabase(config.DATABASE_URL, { connectionLimit: 6 });
  const mailer = createMailer(config);
  const workerName = `${os.hostname()}:${process.pid}`;
  await warnOnEvictionPolicy(config, log);
  // Before any job's lock is held: bundling the worker-thread entries blocks this thread a while.
  warmThreadEntries();
  warmSpoolText();
  const workers = queues.map((step) => {
    const worker = new Worker(
      step,
      (job, token, signal) =>
        // A chunk of a fanned-out step (score) comes on its step's queue: any worker of it takes chunks.
        isChunkJob(job)
          ? runChunk({ database, config, mailer, log, worker: workerName }, steps[step], job, signal)
          : runStep({ database, config, mailer, log, worker: workerName }, steps[step], job, signal, token),
      {
        connection: redisConnection(config.REDIS_URL),
        prefix: config.CPD_QUEUE_PREFIX,
        concurrency: 1,
        // Training runs on worker threads, so the lock is renewed on time; the margin covers GC pauses.
        // A hard-killed worker's job is redelivered about lockDuration + stalledInterval later.
        lockDuration: config.CPD_LOCK_DURATION_MS,
        stalledInterval: config.CPD_STALLED_INTERVAL_MS,
        name: workerName,
      },
    );
    worker.on('error', (err) => log.error({ err, queue: step }, 'worker error'));
    // BullMQ's own events carry no run key; name it from the job so every line says which run it concerns.
    worker.on('failed', (job, err) => {
      if (!job) return;
      const data = job.data as { runKey?: unknown };
      log.warn(
        { runKey: data.runKey, step, attempt: job.attemptsMade, jobId: job.id, err: err.message },
        'job failed',
      );
      // A job that stalled too often is failed by BullMQ when next fetched, without calling runStep: the ledger must hear it here.
      if (err.message === STALLED_OUT_REASON && job.id) {
        recordStalledOut({ database, config, mailer, log }, job.id).catch((e: unknown) =>
          log.error({ err: e, jobId: job.id }, 'could not record a stalled-out job'),
        );
      }
    });
    worker.on('stalled', (jobId) =>
      log.warn(
        { step, jobId, runKey: parseStepJobId(jobId)?.runKey },
        'job stalled: its worker stopped renewing the lock; it is returned to the queue',
      ),
    );
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // Every worker also delivers the mail outbox: its retries outlive any step, run or SMTP outage.
  const dispatcher = startOutboxDispatcher({ db: database.db, mailer, config, log });
  log.info({ queues }, 'workers ready');
  return {
    queues,
    async close() {
      // close() lets the active job finish; a job cut off by a hard kill is redelivered as stalled.
      await Promise.all(workers.map((w) => w.close()));
      await dispatcher.close();
      mailer.close();
      await database.close();
    },
    async forceClose() {
      // Second signal: stop now. The active job keeps its lock until it expires and is then
      // redelivered as stalled; steps are idempotent, so nothing is half-written or doubled.
      await Promise.allSettled(workers.map((w) => w.close(true)));
      await dispatcher.close().catch(() => undefined);
      mailer.close();
      await database.close().catch(() => undefined);
    },
  };
}

async function warnOnEvictionPolicy(config: Config, log: Logger): Promise<void> {
  const redis = redisConnection(config.REDIS_URL);
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1];
    if (policy && policy !== 'noeviction') {
      log.warn(
        { policy },
        'Redis maxmemory-policy is not noeviction: Redis may evict queue keys under memory pressure and lose jobs',
      );
    }
  } catch (err) {
    log.warn({ err }, 'could not read Redis maxmemory-policy');
  } finally {
    redis.disconnect();
  }
}
