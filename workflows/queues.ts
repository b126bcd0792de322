import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import { type StepName, stepNames } from '../config/steps.ts';

export interface Queues {
  prefix: string;
  connection: Redis;
  flow: FlowProducer;
  queue(step: StepName): Queue;
  all(): Queue[];
  close(): Promise<void>;
}

/** A Redis connection as BullMQ wants it for blocking commands (no per-request retry limit). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** The producer side: the flow producer and one Queue per step, sharing one connection. */
export function createQueues(config: Pick<Config, 'REDIS_URL' | 'CPD_QUEUE_PREFIX'>): Queues {
  const connection = redisConnection(config.REDIS_URL);
  const prefix = config.CPD_QUEUE_PREFIX;
  const flow = new FlowProducer({ connection, prefix });
  const queues = new Map<StepName, Queue>();
  const queue = (step: StepName) => {
    let q = queues.get(step);
    if (!q) {
      q = new Queue(step, { connection, prefix });
      queues.set(step, q);
    }
    return q;
  };
  return {
    prefix,
    connection,
    flow,
    queue,
    all: () => stepNames.map(queue),
    async close() {
      await flow.close();
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
