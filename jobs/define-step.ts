import type { Pool } from 'mysql2/promise';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { Pipeline } from '../config/pipeline.ts';
import type { Db } from '../db/client.ts';
import type { Mailer } from '../reports/mailer.ts';

/** The steps of the nightly flow, in the order they run. */
export const stepNames = ['collect', 'load', 'clean', 'features', 'train', 'evaluate', 'score', 'report'] as const;
export type StepName = (typeof stepNames)[number];

/** The run a step belongs to, as recorded in the ledger when it started. */
export interface RunRecord {
  runKey: string;
  pipeline: Pipeline;
  businessDate: string;
}

/** Everything a step handler may touch; built once per job by the step runner. */
export interface StepContext {
  run: RunRecord;
  attempt: number;
  db: Db;
  pool: Pool;
  config: Config;
  mailer: Mailer;
  log: Logger;
  signal: AbortSignal;
  /** 0..100; shown in Bull Board and `cpd run --wait`. */
  progress(percent: number): Promise<void>;
}

/** Figures a step reports; they land in its step_runs row. */
export interface StepResult {
  rowsIn?: number;
  rowsOut?: number;
  rowsRejected?: number;
  details?: Record<string, unknown>;
}

export interface StepDefinition {
  name: StepName;
  /** Stable job name stored in Redis (`area.verb-noun`); never rename. */
  jobName: string;
  /** Why the step may take long, if it does: BullMQ renews the lock only while the event loop is free. */
  handler(ctx: StepContext): Promise<StepResult>;
}

export function defineStep(def: StepDefinition): StepDefinition {
  return def;
}
