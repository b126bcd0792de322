import type { Pool } from 'mysql2/promise';
import type { StepDuration } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

export interface StepFacts {
  step: string;
  status: 'running' | 'succeeded' | 'failed';
  errorKind: 'permanent' | 'transient' | null;
  error: string | null;
  durationMs: number | null;
  rowsIn: number | null;
  rowsOut: number | null;
  attempts: number;
}

/** The ledger's facts about one run: what every section starts from. */
export interface RunFacts {
  runKey: string;
  pipeline: string;
  businessDate: string;
  /** The ledger status ('running' while the report step itself runs). */
  status: string;
  error: string | null;
  failedStep: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The latest attempt of every step that ran, in flow order. */
  steps: StepFacts[];
}

interface RunRow {
  run_key: string;
  pipeline: string;
  business_date: string;
  status: string;
  error: string | null;
  failed_step: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

interface StepRow {
  step: string;
  status: StepFacts['status'];
  error_kind: StepFacts['errorKind'];
  error: string | null;
  duration_ms: number | null;
  rows_in: number | string | null;
  rows_out: number | string | null;
  attempts: number | string;
}

export async function gatherRun(pool: Pool, runKey: string): Promise<RunFacts | undefined> {
  const [run] = await queryRows<RunRow>(
    pool,
    'SELECT run_key, pipeline, business_date, status, error, failed_step, started_at, finished_at FROM pipeline_runs WHERE run_key = ?',
    [runKey],
  );
  if (!run) return undefined;
  // The latest attempt per step (highest id); the attempt count beside it.
  const steps = await queryRows<StepRow>(
    pool,
    `SELECT s.step, s.status, s.error_kind, s.error, s.duration_ms, s.rows_in, s.rows_out, c.attempts
       FROM step_runs s
       JOIN (SELECT step, MAX(id) AS id, COUNT(*) AS attempts FROM step_runs WHERE run_key = ? GROUP BY step) c ON c.id = s.id
      ORDER BY s.id`,
    [runKey],
  );
  return {
    runKey: run.run_key,
    pipeline: run.pipeline,
    businessDate: run.business_date,
    status: run.status,
    error: run.error,
    failedStep: run.failed_step,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    steps: steps.map((s) => ({
      step: s.step,
      status: s.status,
      errorKind: s.error_kind,
      error: s.error,
      durationMs: s.duration_ms,
      rowsIn: s.rows_in === null ? null : Number(s.rows_in),
      rowsOut: s.rows_out === null ? null : Number(s.rows_out),
      attempts: Number(s.attempts),
    })),
  };
}

/** Durations of the steps that finished; the report step itself is still running and left out. */
export function stepDurations(run: RunFacts): StepDuration[] {
  return run.steps
    .filter((s) => s.status !== 'running' && s.durationMs !== null)
    .map((s) => ({
      step: s.step,
      ms: s.durationMs ?? 0,
      status: s.status === 'failed' ? 'failed' : 'succeeded',
    }));
}
