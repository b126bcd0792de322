import { type Job, Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import { parsePipeline } from '../config/pipeline.ts';
import { stepNames } from '../config/steps.ts';
import type { Database } from '../db/client.ts';
import { pipelineRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';
import type { Mailer } from '../reports/mailer.ts';
import { deadlineOf, WATCHDOG_QUEUE } from './deadline.ts';
import { diagnoseLateRun, type RunFacts, type StepJobFacts } from './diagnose-late-run.ts';
import { type Queues, redisConnection } from './queues.ts';
import { parseRunKey } from './run-key.ts';

const dataSchema = z.object({ runKey: z.string().min(3).max(120) });

export interface WatchdogDeps {
  database: Database;
  config: Config;
  mailer: Mailer;
  log: Logger;
  queues: Queues;
}

/** Serves the deadline checks (job name `ops.check-deadline`). */
export async function startWatchdog(deps: WatchdogDeps): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(WATCHDOG_QUEUE, (job) => checkDeadline(deps, job), {
    connection: redisConnection(deps.config.REDIS_URL),
    prefix: deps.config.CPD_QUEUE_PREFIX,
    concurrency: 1,
  });
  worker.on('error', (err) => deps.log.error({ err, queue: WATCHDOG_QUEUE }, 'watchdog error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}

/** At the deadline: if the run is not finished, work out why and mail ops once. */
export async function checkDeadline(deps: WatchdogDeps, job: Job): Promise<{ cause: string }> {
  const parsed = dataSchema.safeParse(job.data);
  if (!parsed.success) throw new Error(`job ${job.id}: invalid payload: ${parsed.error.message}`);
  const { runKey } = parsed.data;
  const log = deps.log.child({ runKey, step: 'deadline' });
  const facts = await gatherFacts(deps, runKey);
  const pipelineName = parseRunKey(runKey).pipeline;
  const diagnosis = diagnoseLateRun(facts, `config/pipelines/${pipelineName}.json`);
  if (diagnosis.cause === 'finished') {
    log.info({ status: facts.status }, 'deadline met');
    return { cause: diagnosis.cause };
  }
  const [run] = await deps.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  const pipeline = run ? parsePipeline(run.params, `ledger ${runKey}`) : undefined;
  const deadline =
    (pipeline && deadlineOf(pipeline, parseRunKey(runKey).businessDate)) ??
    new Date(job.timestamp + (job.opts.delay ?? 0));
  log.warn({ cause: diagnosis.cause, reason: diagnosis.reason }, 'deadline missed');
  await notifyRunOutcome({ db: deps.database.db, mailer: deps.mailer, config: deps.config, log }, runKey, {
    kind: 'deadline-missed',
    deadline,
    diagnosis,
  });
  return { cause: diagnosis.cause };
}

async function gatherFacts(deps: WatchdogDeps, runKey: string): Promise<RunFacts> {
  const [run] = await deps.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) return { runKey, status: null, jobs: [] };
  const jobs: StepJobFacts[] = [];
  for (const step of stepNames) {
    const queue = deps.queues.queue(step);
    const job = await queue.getJob(stepJobId(runKey, run.generation, step));
    const workers = await queue.getWorkersCount();
    if (!job) {
      jobs.push({
        step,
        state: 'missing',
        attemptsMade: 0,
        maxAttempts: 0,
        stalledCount: 0,
        failedReason: null,
        workers,
        retryAt: null,
      });
      continue;
    }
    const state = (await job.getState()) as StepJobFacts['state'];
    jobs.push({
      step,
      state,
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      stalledCount: job.stalledCounter ?? 0,
      failedReason: job.failedReason || null,
      workers,
      retryAt: state === 'delayed' ? new Date(job.timestamp + (job.delay ?? 0)) : null,
      waitingSince: waitingSinceOf(job.data),
    });
  }
  return { runKey, status: run.status, jobs };
}

/** The runner stores when a sensor started waiting in the job's data. */
function waitingSinceOf(data: unknown): Date | null {
  const since = (data as { waitingSince?: unknown } | null)?.waitingSince;
  return typeof since === 'number' ? new Date(since) : null;
}
