import type { Pool } from 'mysql2/promise';
import type { TrendPoint } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

/** Nights in the trend chart: a month of nightly runs. */
const TREND_RUNS = 30;

interface TrendRow {
  business_date: string;
  roc_auc: number | string | null;
  base_rate: number | string | null;
  scored: number | string | null;
}

/**
 * The last 30 runs of the pipeline up to this business date. A night without an evaluation or
 * a score step keeps its date with no figures, so the chart shows a gap rather than a zero.
 * JSON_EXTRACT keeps the large curves in the metrics column on the server.
 */
export async function gatherTrend(
  pool: Pool,
  pipeline: string,
  businessDate: string,
): Promise<TrendPoint[] | undefined> {
  const rows = await queryRows<TrendRow>(
    pool,
    `SELECT r.business_date,
            JSON_EXTRACT(m.metrics, '$.rocAuc') AS roc_auc,
            JSON_EXTRACT(m.metrics, '$.baseRate') AS base_rate,
            (SELECT COALESCE(s.rows_in, s.rows_out) FROM step_runs s
              WHERE s.run_key = r.run_key AND s.step = 'score' AND s.status = 'succeeded'
              ORDER BY s.id DESC LIMIT 1) AS scored
       FROM pipeline_runs r
       LEFT JOIN run_models rm ON rm.run_key = r.run_key
       LEFT JOIN model_versions m ON m.id = COALESCE(rm.version_id, (SELECT v.id FROM model_versions v WHERE v.run_key = r.run_key))
      WHERE r.pipeline = ? AND r.business_date <= ?
      ORDER BY r.business_date DESC
      LIMIT ${TREND_RUNS}`,
    [pipeline, businessDate],
  );
  if (rows.length === 0) return undefined;
  return rows.reverse().map((r) => {
    const point: TrendPoint = { businessDate: r.business_date };
    const auc = finite(r.roc_auc);
    const base = finite(r.base_rate);
    const scored = finite(r.scored);
    if (auc !== undefined) point.rocAuc = auc;
    if (base !== undefined) point.baseRate = base;
    if (scored !== undefined) point.customersScored = scored;
    return point;
  });
}

/** JSON_EXTRACT gives numbers (MySQL) or their text (MariaDB), and 'null' for a stored null. */
function finite(value: unknown): number | undefined {
  if (value === null || value === undefined || value === 'null') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
