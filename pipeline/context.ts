import type { Pool } from 'mysql2/promise';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { Pipeline } from '../config/pipeline.ts';
import type { Db } from '../db/client.ts';

/** The run a step belongs to, as recorded in the ledger when it started. */
export interface RunRecord {
  runKey: string;
  pipeline: Pipeline;
  businessDate: string;
}

/** What the capabilities and modes may touch while a step runs: built once per job by the runner. */
export interface WorkContext {
  run: RunRecord;
  db: Db;
  pool: Pool;
  config: Config;
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
