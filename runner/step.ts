import type { StepName } from '../config/steps.ts';
import type { StepResult, WorkContext } from '../pipeline/context.ts';
import type { Mailer } from '../reports/mailer.ts';

/**
 * One chunk of a step fanned out over the workers: which slice of the night's rows (ids, never
 * rows) and the model version every chunk uses, so a chunk is the same work wherever it runs.
 */
export interface ChunkSpec {
  index: number;
  count: number;
  /** The slice: ids after `after` ('' = from the first) through `through` (null = the last). */
  after: string;
  through: string | null;
  /** Rows in the slice, as counted when the step fanned out. */
  rows: number;
  /** model_versions.id of the version every chunk scores with (the parent's champion). */
  versionId: number;
}

/** What a chunk returns to its parent (BullMQ keeps it as the child's return value). */
export interface ChunkOutcome {
  index: number;
  rows: number;
  /** Step-specific figures the parent combines (e.g. the part table a chunk wrote). */
  details: Record<string, unknown>;
  /** Filled by the runner: who ran it, on which attempt, how long. */
  worker?: string;
  attempt?: number;
  ms?: number;
}

/** Everything a step handler may touch; built once per job by the step runner. */
export interface StepContext extends WorkContext {
  attempt: number;
  mailer: Mailer;
  /** When this attempt first looked for its input (epoch ms): a sensor's timeout counts from here. */
  waitingSince?: number;
  /**
   * Runs the chunks as child jobs any worker of the step's queue takes. Resolves with their
   * outcomes (in index order) once every chunk succeeded; until then the step's job waits for its
   * children, holding no worker, and the handler runs again from the top when they are done.
   */
  fanOut?(chunks: ChunkSpec[]): Promise<ChunkOutcome[]>;
}

export interface ChunkContext extends StepContext {
  chunk: ChunkSpec;
}

export interface StepDefinition {
  name: StepName;
  handler(ctx: StepContext): Promise<StepResult>;
  /** The work of one chunk, for a step whose handler fans out. */
  chunk?(ctx: ChunkContext): Promise<ChunkOutcome>;
}

export function defineStep(def: StepDefinition): StepDefinition {
  return def;
}
