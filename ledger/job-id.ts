import { type StepName, stepNames } from '../config/steps.ts';

export interface StepJobRef {
  runKey: string;
  generation: number;
  step: StepName;
}

/** Deterministic per run key and generation: a double start adds nothing, a rerun gets fresh jobs. */
export function stepJobId(runKey: string, generation: number, step: StepName): string {
  return `${runKey}.g${generation}.${step}`;
}

/**
 * The inverse of stepJobId, or undefined for any other job id (e.g. a deadline check). The run key
 * is everything before the last `.g<n>.<step>`, so a run key holding dots still parses.
 */
export function parseStepJobId(jobId: string): StepJobRef | undefined {
  const m = /^(.+)\.g(\d+)\.([a-z]+)$/.exec(jobId);
  if (!m || !(stepNames as readonly string[]).includes(m[3]!)) return undefined;
  return { runKey: m[1]!, generation: Number(m[2]), step: m[3] as StepName };
}

export interface ChunkJobRef extends StepJobRef {
  chunk: number;
}

/**
 * One chunk of a step fanned out over the workers: deterministic per run, generation and chunk,
 * so a retried or re-added chunk is the same job (BullMQ adds an existing id once).
 */
export function chunkJobId(runKey: string, generation: number, step: StepName, chunk: number): string {
  return `${stepJobId(runKey, generation, step)}.c${chunk}`;
}

/** The inverse of chunkJobId; parseStepJobId never matches a chunk's id. */
export function parseChunkJobId(jobId: string): ChunkJobRef | undefined {
  const m = /^(.+)\.c(\d+)$/.exec(jobId);
  const step = m && parseStepJobId(m[1]!);
  return step ? { ...step, chunk: Number(m[2]) } : undefined;
}
