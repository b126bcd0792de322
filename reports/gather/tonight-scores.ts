import type { Pool } from 'mysql2/promise';
import { queryRows } from './query-rows.ts';
import { BIN, type ScoresSummary, scoresSummary, targetFloor, TARGETS, UNKNOWN } from './scores-summary.ts';

/** The published view analysts query. */
const TABLE = 'customer_scores';
const VALUE_COLUMNS = 'p_alive, expected_orders, expected_spend, expected_revenue, clv_12m, next_order_days';

/** One published row as the lists show it; the value columns exist unless the schema predates them. */
export interface RankedRow {
  customer_id: string;
  score: number;
  decile: number;
  segment: string | null;
  reasons: unknown;
  p_alive?: number | null;
  expected_orders?: number | null;
  expected_spend?: number | null;
  expected_revenue?: number | null;
  clv_12m?: number | null;
  next_order_days?: number | null;
}

/** What the score sections read of tonight's published rows: the summary and the target list in rank order. */
export interface TonightScores {
  summary: ScoresSummary;
  /** The top `limit` rows of the top and next segments (scored, outcome unknown), by score then customer id. */
  targets: RankedRow[];
}

/** The summary, then the target list (which sorts only the rows above the floor the summary found). */
export async function tonightScores(
  pool: Pool,
  pipeline: string,
  runKey: string,
  limit: number,
): Promise<TonightScores> {
  const summary = await scoresSummary(pool, pipeline, runKey);
  const targets =
    summary.unknown === 0
      ? []
      : await rankedScores(pool, pipeline, runKey, summary, {
          where: TARGETS,
          floor: targetFloor(summary, limit),
          limit,
        });
  return { summary, targets };
}

/**
 * The first `limit` of all scored, unknown-outcome rows in rank order. They are the target list's
 * first rows when its `limit`-th row outscores every row outside the target segments (the usual
 * case: segments are cut by rank); otherwise they are read.
 */
export async function topUnknown(
  pool: Pool,
  pipeline: string,
  runKey: string,
  tonight: TonightScores,
  limit: number,
): Promise<RankedRow[]> {
  const last = tonight.targets[limit - 1];
  const outside = tonight.summary.maxOutsideTargets;
  if (last && (outside === null || Number(last.score) > outside)) return tonight.targets.slice(0, limit);
  return rankedScores(pool, pipeline, runKey, tonight.summary, { where: UNKNOWN, limit });
}

/**
 * Rows of the run in rank order (score, then customer id for ties). MariaDB sorts such a query by
 * row id and reads the chosen rows again, so the cost is the rows sorted: `floor` (a histogram
 * bin the summary counted with the same expression) leaves out rows that cannot make the first `limit`.
 */
async function rankedScores(
  pool: Pool,
  pipeline: string,
  runKey: string,
  summary: ScoresSummary,
  o: { where: string; floor?: number | undefined; limit: number },
): Promise<RankedRow[]> {
  const floor = o.floor === undefined ? '' : ` AND ${BIN} >= ${o.floor}`;
  return queryRows<RankedRow>(
    pool,
    `SELECT customer_id, score, decile, segment, reasons${summary.hasValue ? `, ${VALUE_COLUMNS}` : ''} FROM ${TABLE}
      WHERE pipeline = ? AND run_key = ? AND ${o.where}${floor}
      ORDER BY score DESC, customer_id LIMIT ?`,
    [pipeline, runKey, o.limit],
  );
}
