import os from 'node:os';
import { Worker } from 'bullmq';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import { createDatabase } from '../db/client.ts';
import type { StepName } from '../jobs/define-step.ts';
import { steps } from '../jobs/index.ts';
import { runStep } from '../jobs/run-step.ts';
import { createMailer } from '../reports/mailer.ts';
import { redisConnection } from '../workflows/queues.ts';

export interface RunningWorkers {
  queues: StepName[];
  close(): Promise<void>;
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
  const workers = queues.map((step) => {
    const worker = new Worker(step, (job, _token, signal) => runStep({ database, config, mailer, log, worker: workerName }, steps[step], job, signal), {
      connection: redisConnection(config.REDIS_URL),
      prefix: config.CPD_QUEUE_PREFIX,
      concurrency: 1,
      // Training runs on worker threads, so the lock is renewed on time; the margin covers GC pauses.
      lockDuration: 60_000,
      name: workerName,
    });
    worker.on('error', (err) => log.error({ err, queue: step }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ queues }, 'workers ready');
  return {
    queues,
    async close() {
      // close() lets the active job finish; a job cut off by a hard kill is redelivered as stalled.
      await Promise.all(workers.map((w) => w.close()));
      mailer.close();
      await database.close();
    },
  };
}

async function warnOnEvictionPolicy(config: Config, log: Logger): Promise<void> {
  const redis = redisConnection(config.REDIS_URL);
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1];
    if (policy && policy !== 'noeviction') {
      log.warn({ policy }, 'Redis maxmemory-policy is not noeviction: Redis may evict queue keys under memory pressure and lose jobs');
    }
  } catch (err) {
    log.warn({ err }, 'could not read Redis maxmemory-policy');
  } finally {
    redis.disconnect();
  }
}
