import type { Pool } from 'mysql2/promise';
import type { RunRecord } from '../context.ts';
import { PermanentError } from '../errors.ts';
import type { QualityResult } from './evaluate-checks.ts';

/**
 * Records a step's check results on their own connection (autocommit), so a blocking result stays
 * visible to ops and the report even though the step's own output rolls back.
 */
export async function storeQuality(
  pool: Pool,
  run: RunRecord,
  step: string,
  results: QualityResult[],
): Promise<void> {
  await pool.query('DELETE FROM quality_results WHERE run_key = ? AND step = ?', [run.runKey, step]);
  if (results.length === 0) return;
  const rows = results.map((r) => [
    run.runKey,
    run.pipeline.name,
    run.businessDate,
    step,
    r.checkName,
    r.severity,
    r.outcome,
    r.value,
    r.limit,
    r.message.slice(0, 500),
  ]);
  await pool.query(
    'INSERT INTO quality_results (run_key, pipeline, business_date, step, check_name, severity, outcome, value, limit_text, message) VALUES ?',
    [rows],
  );
}

/** Row counts of the pipeline's last 7 earlier runs, newest first: the row-count baseline. */
export async function rowCountHistory(pool: Pool, run: RunRecord): Promise<number[]> {
  const [rows] = await pool.query(
    "SELECT value FROM quality_results WHERE pipeline = ? AND check_name = 'row-count' AND business_date < ? AND value IS NOT NULL ORDER BY business_date DESC LIMIT 7",
    [run.pipeline.name, run.businessDate],
  );
  return (rows as { value: number }[]).map((r) => Number(r.value));
}

/** A blocking check fails the step permanently: bad data does not get better by retrying. */
export function assertNoBlock(results: QualityResult[]): void {
  const blocked = results.filter((r) => r.outcome === 'block');
  if (blocked.length)
    throw new PermanentError(
      `data quality blocked the run: ${blocked.map((b) => `${b.checkName}: ${b.message} (limit ${b.limit})`).join('; ')}`,
    );
}
