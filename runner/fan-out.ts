import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { type StepName, stepNames } from '../config/steps.ts';
import { chunkJobId } from '../ledger/job-id.ts';
import type { ChunkOutcome, ChunkSpec } from './step.ts';

/** The handler fanned out and chunks are left: the runner parks the job until its children are done. */
export class FanOutWaiting extends Error {
  override name = 'FanOutWaiting';
  constructor(
    readonly pending: number,
    readonly count: number,
  ) {
    super(`${pending} of ${count} chunks are left`);
  }
}

/** A chunk job's payload: ids and counts only, never rows. */
export const chunkJobDataSchema = z.object({
  runKey: z.string().min(3).max(120),
  step: z.enum(stepNames),
  chunk: z.object({
    index: z.number().int().min(0),
    count: z.number().int().min(1),
    after: z.string().max(191),
    through: z.string().max(191).nullable(),
    rows: z.number().int().min(0),
    versionId: z.number().int().positive(),
  }),
});

export function isChunkJob(job: Job): boolean {
  return typeof (job.data as { chunk?: unknown } | null)?.chunk === 'object';
}

/**
 * The runner's side of StepContext.fanOut: the children's outcomes once all of them completed;
 * else adds the missing ones as children of `job` (deterministic ids: adding one twice adds it
 * once) and throws FanOutWaiting. A chunk that failed for good took its parent down
 * (failParentOnFailure); when the step is retried, that chunk is replaced by a fresh job.
 */
export async function fanOutChildren(
  job: Job,
  config: Pick<Config, 'REDIS_URL' | 'CPD_QUEUE_PREFIX'>,
  at: { runKey: string; generation: number; step: StepName },
  chunks: ChunkSpec[],
): Promise<ChunkOutcome[]> {
  const values = await job.getChildrenValues<ChunkOutcome>();
  // Keys are `<prefix>:<queue>:<job id>`, and job ids never hold a colon.
  const done = new Map(Object.entries(values).map(([key, v]) => [key.slice(key.lastIndexOf(':') + 1), v]));
  const ids = chunks.map((c) => chunkJobId(at.runKey, at.generation, at.step, c.index));
  if (ids.every((id) => done.has(id))) return ids.map((id) => done.get(id)!);
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(job.queueName, { connection, prefix: config.CPD_QUEUE_PREFIX });
  try {
    const missing = chunks.filter((_, i) => !done.has(ids[i]!));
    for (const c of missing) {
      const old = await queue.getJob(chunkJobId(at.runKey, at.generation, at.step, c.index));
      if (old && (await old.isFailed())) await old.remove();
    }
    await queue.addBulk(
      missing.map((chunk) => ({
        name: `${at.step}-chunk`,
        data: { runKey: at.runKey, step: at.step, chunk },
        opts: {
          jobId: chunkJobId(at.runKey, at.generation, at.step, chunk.index),
          parent: { id: job.id!, queue: job.queueQualifiedName },
          // A chunk has the step's retry policy; when its attempts run out, the step fails with it.
          attempts: job.opts.attempts,
          backoff: job.opts.backoff,
          failParentOnFailure: true,
          removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      })),
    );
    throw new FanOutWaiting(missing.length, chunks.length);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
