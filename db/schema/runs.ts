import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  index,
  int,
  mysqlTable,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';

export const runStatuses = ['pending', 'running', 'succeeded', 'degraded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** One row per run key (pipeline + business date): the run ledger. */
export const pipelineRuns = mysqlTable(
  'pipeline_runs',
  {
    id: int('id').autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    status: varchar('status', { length: 16 }).$type<RunStatus>().notNull().default('pending'),
    /** Bumped by an explicit rerun; part of every job id, so a rerun gets fresh jobs and a double start none. */
    generation: int('generation').notNull().default(1),
    /** The pipeline definition as it was when the run started, so a rerun is reproducible. */
    params: jsonColumn('params').notNull(),
    /** Why the run failed or is degraded, in words an operator can act on. */
    error: text('error'),
    failedStep: varchar('failed_step', { length: 32 }),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    startedAt: timestamp('started_at', { fsp: 3 }),
    finishedAt: timestamp('finished_at', { fsp: 3 }),
  },
  (t) => [
    uniqueIndex('pipeline_runs_run_key').on(t.runKey),
    index('pipeline_runs_pipeline_date').on(t.pipeline, t.businessDate),
  ],
);

/** One row per attempt of a step. */
export const stepRuns = mysqlTable(
  'step_runs',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    step: varchar('step', { length: 32 }).notNull(),
    /** The run's generation this attempt belongs to: attempts are counted per generation. */
    generation: int('generation').notNull().default(1),
    attempt: int('attempt').notNull(),
    /** waiting: a sensor is waiting for a late input (the job is delayed, holding no worker). */
    status: varchar('status', { length: 16 })
      .$type<'running' | 'waiting' | 'succeeded' | 'failed'>()
      .notNull(),
    /** 'permanent' (not retried) or 'transient' (retried with backoff). */
    errorKind: varchar('error_kind', { length: 16 }).$type<'permanent' | 'transient'>(),
    error: text('error'),
    rowsIn: bigint('rows_in', { mode: 'number' }),
    rowsOut: bigint('rows_out', { mode: 'number' }),
    rowsRejected: bigint('rows_rejected', { mode: 'number' }),
    /** Step-specific figures (metrics, counts by reason) for status and the report. */
    details: jsonColumn('details'),
    worker: varchar('worker', { length: 120 }),
    startedAt: timestamp('started_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    finishedAt: timestamp('finished_at', { fsp: 3 }),
    durationMs: int('duration_ms'),
  },
  (t) => [index('step_runs_run_step').on(t.runKey, t.step)],
);

/**
 * The log lines of one step attempt (the pino lines its job wrote, secrets redacted, at most a
 * bounded number per attempt): what the console and `cpd logs` show after the worker is gone.
 */
export const stepLogs = mysqlTable(
  'step_logs',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    step: varchar('step', { length: 32 }).notNull(),
    generation: int('generation').notNull(),
    attempt: int('attempt').notNull(),
    /** Order of the line within its attempt. */
    seq: int('seq').notNull(),
    at: timestamp('at', { fsp: 3 }).notNull(),
    /** pino's numeric level (30 info, 40 warn, 50 error). */
    level: int('level').notNull(),
    msg: varchar('msg', { length: 500 }).notNull(),
    /** The whole JSON line, bounded. */
    line: text('line').notNull(),
  },
  (t) => [index('step_logs_attempt').on(t.runKey, t.step, t.generation, t.attempt, t.seq)],
);
