import type { Pool } from 'mysql2/promise';
import { psi } from '../../ml/drift.ts';
import type { RunRecord } from '../context.ts';
import { storeDrift } from '../features/drift/store-drift.ts';

const QUANTILES = 1_000;

export interface ScoreDrift {
  /** The run compared with; null on a pipeline's first run (nothing stored as drift then). */
  previousRunKey: string | null;
  psi: number | null;
}

/**
 * For the score step: stores tonight's score distribution (1,000 quantiles: enough for PSI on
 * decile bins, a few KB instead of a million scores) and, when an earlier run of the pipeline has
 * one, the PSI of tonight's scores against it in drift_results (kind 'score', name 'score').
 * Idempotent per run key.
 */
export async function computeScoreDrift(pool: Pool, run: RunRecord, scores: ArrayLike<number>): Promise<ScoreDrift> {
  const q = quantiles(scores, QUANTILES);
  await pool.query(
    'INSERT INTO score_distributions (run_key, pipeline, business_date, `rows`, quantiles) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE `rows` = VALUES(`rows`), quantiles = VALUES(quantiles)',
    [run.runKey, run.pipeline.name, run.businessDate, scores.length, JSON.stringify(q)],
  );
  const [prev] = await pool.query(
    'SELECT run_key, quantiles FROM score_distributions WHERE pipeline = ? AND business_date < ? ORDER BY business_date DESC LIMIT 1',
    [run.pipeline.name, run.businessDate],
  );
  const p = (prev as { run_key: string; quantiles: unknown }[])[0];
  if (!p) return { previousRunKey: null, psi: null };
  const ref = (typeof p.quantiles === 'string' ? JSON.parse(p.quantiles) : p.quantiles) as number[];
  const r = psi(ref, q);
  await storeDrift(pool, run.runKey, run.pipeline.name, 'score', p.run_key, [{ name: 'score', psi: r.psi, band: r.band, details: { edges: r.edges, bins: r.bins } }]);
  return { previousRunKey: p.run_key, psi: r.psi };
}

/** n evenly spaced quantiles (midpoints of equal-mass slices), NaN ignored. */
export function quantiles(values: ArrayLike<number>, n: number): number[] {
  const sorted = Float64Array.from(Array.from(values).filter((v) => v === v)).sort();
  if (sorted.length === 0) return [];
  return Array.from({ length: n }, (_, i) => sorted[Math.min(sorted.length - 1, Math.floor(((i + 0.5) * sorted.length) / n))]!);
}
