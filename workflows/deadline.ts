import { Queue } from 'bullmq';
import type { Pipeline } from '../config/pipeline.ts';
import type { Queues } from './queues.ts';
import { runKeyOf } from './run-key.ts';
import { addDays, zonedInstant } from './schedule.ts';

/** The queue of deadline checks; served by `cpd scheduler`. */
export const WATCHDOG_QUEUE = 'watchdog';

export interface DeadlineJobData {
  runKey: string;
}

const watchdogQueues = new WeakMap<Queues, Queue>();

export function watchdogQueue(queues: Queues): Queue {
  let q = watchdogQueues.get(queues);
  if (!q) {
    q = new Queue(WATCHDOG_QUEUE, { connection: queues.connection, prefix: queues.prefix });
    watchdogQueues.set(queues, q);
  }
  return q;
}

/** When a business date's scores must be published, or undefined when the pipeline has no deadline. */
export function deadlineOf(pipeline: Pipeline, businessDate: string): Date | undefined {
  const d = pipeline.deadline;
  if (!d) return undefined;
  return zonedInstant(addDays(businessDate, d.afterDays), d.time, d.timezone ?? pipeline.schedule.timezone);
}

/**
 * Arms the deadline check of a business date: a delayed job with an id derived from the run key,
 * so every scheduler, tick and start arms it at most once. It is armed before the run starts (by
 * the scheduler for the next night) so that "the run never started" is caught too. A date whose
 * deadline has already passed (a backfill of last week) gets no check.
 */
export async function armDeadline(
  queues: Queues,
  pipeline: Pipeline,
  businessDate: string,
  now: Date,
): Promise<Date | undefined> {
  const at = deadlineOf(pipeline, businessDate);
  if (!at || at.getTime() <= now.getTime()) return undefined;
  const runKey = runKeyOf(pipeline.name, businessDate);
  const data: DeadlineJobData = { runKey };
  await watchdogQueue(queues).add('ops.check-deadline', data, {
    jobId: `${runKey}.deadline`,
    delay: at.getTime() - now.getTime(),
    attempts: 5,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { age: 30 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  return at;
}
