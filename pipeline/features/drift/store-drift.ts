import type { Pool, PoolConnection } from 'mysql2/promise';
import type { DriftRow } from './feature-drift.ts';

/** Replaces the run's drift rows of one kind. */
export async function storeDrift(
  db: Pool | PoolConnection,
  runKey: string,
  pipeline: string,
  kind: 'feature' | 'score',
  reference: string,
  rows: DriftRow[],
): Promise<void> {
  await db.query('DELETE FROM drift_results WHERE run_key = ? AND kind = ?', [runKey, kind]);
  if (rows.length === 0) return;
  const values = rows.map((r) => [
    runKey,
    pipeline,
    kind,
    r.name,
    Number.isFinite(r.psi) ? r.psi : 99,
    r.band,
    reference,
    JSON.stringify(r.details),
  ]);
  await db.query(
    'INSERT INTO drift_results (run_key, pipeline, kind, name, psi, band, reference, details) VALUES ?',
    [values],
  );
}
