import type { FlowJob } from 'bullmq';
import { type StepName, stepNames } from '../config/steps.ts';
import { stepJobId } from '../ledger/job-id.ts';

export interface StepJobData {
  runKey: string;
  step: StepName;
}

export interface FlowOptions {
  attempts: number;
  backoffMs: number;
}

/**
 * The nightly flow as data: a chain where each step is the parent of the one before it, so
 * BullMQ runs collect first and report last. Children keep BullMQ's default failure mode: a
 * failed step leaves its parents waiting, and one retry of it (e.g. from Bull Board) resumes the
 * rest of the chain.
 */
export function nightlyFlow(
  runKey: string,
  generation: number,
  opts: FlowOptions,
  /** Only this step and the later ones (the reconciler re-creating the jobs of an orphaned run). */
  from: StepName = stepNames[0],
): FlowJob {
  let child: FlowJob | undefined;
  for (const step of stepNames.slice(stepNames.indexOf(from))) {
    const data: StepJobData = { runKey, step };
    const node: FlowJob = {
      name: step,
      queueName: step,
      data,
      opts: {
        jobId: stepJobId(runKey, generation, step),
        attempts: opts.attempts,
        backoff: { type: 'exponential', delay: opts.backoffMs, jitter: 0.2 },
        // Completed jobs are kept a week for Bull Board; failed ones a month, for the post-mortem.
        removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
      children: child ? [child] : undefined,
    };
    child = node;
  }
  return child!;
}
