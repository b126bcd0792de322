import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type {
  CustomerValueCells,
  HistogramBin,
  RunReportData,
  ScoredCustomer,
  ScoreMover,
  TopCustomer,
} from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';
import { HISTOGRAM_BINS } from './scores-summary.ts';
import { type RankedRow, type TonightScores, tonightScores, topUnknown } from './tonight-scores.ts';

/** Rows in the attached CSV: a campaign list, not a data export (analysts query the table). */
export const CSV_ROWS = 1_000;
const TOP_ROWS = 20;
const MOVERS = 10;

type ScoreSections = Pick<
  RunReportData,
  'topCustomers' | 'scoredCustomers' | 'topMovers' | 'scoreHistogram' | 'published' | 'knownOutcomes'
>;

function valueCells(r: RankedRow): CustomerValueCells {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    pAlive: n(r.p_alive),
    expectedOrders: n(r.expected_orders),
    expectedSpend: n(r.expected_spend),
    expectedRevenue: n(r.expected_revenue),
    clv12m: n(r.clv_12m),
    nextOrderDays: n(r.next_order_days),
  };
}

/** The published table analysts query; the per-pipeline tables behind it are an implementation detail. */
const TABLE = 'customer_scores';

/**
 * Tonight's published scores: the top 20 with their reasons, the CSV list, the distribution
 * against the previous night and the biggest movers. The lists hold only customers whose outcome
 * is not known yet (known ones are published out-of-fold, for analysts, not as targets). Only scores this run published are shown:
 * on a degraded night the table still holds yesterday's, which the headline explains instead.
 * `tonight` is what the report already read of the run's rows (one summary pass, the target list);
 * without it they are read here.
 */
export async function gatherScores(
  pool: Pool,
  runKey: string,
  pipeline: string,
  businessDate: string,
  tonight?: TonightScores,
): Promise<ScoreSections> {
  const published = { table: TABLE, sqlExample: sqlExample(pipeline) };
  const read = tonight ?? (await tonightScores(pool, pipeline, runKey, CSV_ROWS));
  const { summary } = read;
  if (summary.rows === 0) return { published };
  const known = summary.known;
  const knownOutcomes = known > 0 ? { rows: known, unknownRows: summary.rows - known } : undefined;
  const rows = await topUnknown(pool, pipeline, runKey, read, CSV_ROWS);
  const scoredCustomers: ScoredCustomer[] = rows.map((r) => ({
    customerId: r.customer_id,
    score: Number(r.score),
    decile: Number(r.decile),
    ...(r.segment ? { segment: r.segment } : {}),
    ...(r.p_alive !== null && r.p_alive !== undefined ? { value: valueCells(r) } : {}),
  }));
  const topCustomers: TopCustomer[] = rows
    .slice(0, TOP_ROWS)
    .map((r, i) => ({ ...scoredCustomers[i]!, reasons: reasonsOf(r.reasons) }));
  const tonightBins = summary.histogram;
  const previous = await previousScores(pool, runKey, pipeline, businessDate);
  const sections: ScoreSections = {
    published,
    topCustomers,
    scoredCustomers,
    scoreHistogram: { tonight: tonightBins },
    ...(knownOutcomes ? { knownOutcomes } : {}),
  };
  if (previous) {
    const prevBins = await histogram(pool, previous.sql, previous.params);
    if (prevBins.some((b) => b.count > 0))
      sections.scoreHistogram = { tonight: tonightBins, previous: prevBins };
    const movers = await topMovers(pool, runKey, pipeline, previous);
    if (movers.length) sections.topMovers = movers;
  }
  return sections;
}

export function sqlExample(pipeline: string): string {
  return [
    'SELECT customer_id, score, decile, segment, reasons',
    `FROM ${TABLE}`,
    `WHERE pipeline = '${pipeline.replace(/'/g, "''")}' AND known_outcome = 0`,
    'ORDER BY score DESC',
    'LIMIT 100;',
  ].join('\n');
}

interface PreviousSource {
  sql: string;
  params: unknown[];
}

/** The previous published night: from the score history, else from the previous-scores view. */
async function previousScores(
  pool: Pool,
  runKey: string,
  pipeline: string,
  businessDate: string,
): Promise<PreviousSource | undefined> {
  const [row] = await queryRows<{ d: string | null }>(
    pool,
    'SELECT MAX(business_date) AS d FROM customer_score_history WHERE pipeline = ? AND business_date < ?',
    [pipeline, businessDate],
  );
  if (row?.d)
    return {
      sql: 'SELECT customer_id, score FROM customer_score_history WHERE pipeline = ? AND business_date = ?',
      params: [pipeline, row.d],
    };
  const [prev] = await queryRows<{ n: number | string }>(
    pool,
    'SELECT COUNT(*) AS n FROM customer_scores_prev WHERE pipeline = ? AND run_key <> ?',
    [pipeline, runKey],
  );
  if (Number(prev?.n ?? 0) === 0) return undefined;
  return {
    sql: 'SELECT customer_id, score FROM customer_scores_prev WHERE pipeline = ? AND run_key <> ?',
    params: [pipeline, runKey],
  };
}

async function histogram(pool: Pool, scores: string, params: unknown[]): Promise<HistogramBin[]> {
  const rows = await queryRows<{ b: number | string; n: number | string }>(
    pool,
    `SELECT LEAST(FLOOR(s.score * ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS - 1}) AS b, COUNT(*) AS n
       FROM (${scores}) s WHERE s.score IS NOT NULL GROUP BY b`,
    params,
  );
  const counts = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
  return Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
    start: i / HISTOGRAM_BINS,
    end: (i + 1) / HISTOGRAM_BINS,
    count: counts.get(i) ?? 0,
  }));
}

async function topMovers(
  pool: Pool,
  runKey: string,
  pipeline: string,
  previous: PreviousSource,
): Promise<ScoreMover[]> {
  const rows = await queryRows<{ customer_id: string; previous: number; current: number }>(
    pool,
    `SELECT c.customer_id, p.score AS previous, c.score AS current
       FROM ${TABLE} c JOIN (${previous.sql}) p ON p.customer_id = c.customer_id
      WHERE c.pipeline = ? AND c.run_key = ? AND c.score IS NOT NULL
      ORDER BY ABS(c.score - p.score) DESC, c.customer_id LIMIT ${MOVERS}`,
    [...previous.params, pipeline, runKey],
  );
  return rows
    .map((r) => ({
      customerId: r.customer_id,
      previous: Number(r.previous),
      current: Number(r.current),
      delta: Number(r.current) - Number(r.previous),
    }))
    .filter((m) => m.delta !== 0);
}

function reasonsOf(value: unknown): TopCustomer['reasons'] {
  const parsed = parseJsonValue(value);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(
      (r): r is { feature: unknown; contribution: unknown; sentence?: unknown } =>
        !!r && typeof r === 'object',
    )
    .map((r) => ({
      feature: String(r.feature),
      contribution: Number(r.contribution),
      ...(typeof r.sentence === 'string' ? { sentence: r.sentence } : {}),
    }))
    .filter((r) => Number.isFinite(r.contribution));
}
