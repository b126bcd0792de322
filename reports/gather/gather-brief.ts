import type { Pool } from 'mysql2/promise';
import type { BriefConfig } from '../../config/pipeline.ts';
import { parseJsonValue } from '../../db/json-column.ts';
import type { Brief, BriefCustomer, BriefMover, BriefNight, BriefSegment } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';
import { type TonightScores, tonightScores } from './tonight-scores.ts';

/** The published view analysts query. */
const TABLE = 'customer_scores';
const SEGMENT_NAMES = { high: 'Top', medium: 'Next', low: 'Rest' } as const;
const EXAMPLES = 5;

export interface BriefOptions extends BriefConfig {
  /** Segment shares, for the segment names ("Top 10 %"). */
  shares: { top: number; next: number };
  horizonDays?: number;
}

interface ListRow {
  customer_id: string;
  score: number | string;
  segment: string | null;
  reasons: unknown;
  value?: number | string | null;
}

/**
 * What the brief shows, from tonight's published scores: expected buyers (the sum of scores),
 * segments by rank, the action list, the whole target list for the attachment, and what changed
 * against the last published night in customer_score_history. Undefined when this run published
 * nothing (a blocked or failed night): the brief then says what is still there.
 * `tonight` is what the report already read of the run's rows, holding at least
 * max(attachRows, topN) target rows; without it they are read here.
 */
export async function gatherBrief(
  pool: Pool,
  runKey: string,
  pipeline: string,
  businessDate: string,
  o: BriefOptions,
  tonight?: TonightScores,
): Promise<Brief | undefined> {
  const limit = Math.max(o.attachRows, o.topN);
  const { summary, targets } = tonight ?? (await tonightScores(pool, pipeline, runKey, limit));
  const valueColumn = summary.hasValue;
  const value = valueColumn ? ', c.expected_revenue AS value' : '';
  const population = summary.unknown;
  if (population === 0) return undefined;
  const bySegment = (['high', 'medium', 'low'] as const).map((code): BriefSegment => {
    const row = summary.segments[code];
    const share = code === 'high' ? o.shares.top : code === 'medium' ? o.shares.next : undefined;
    return {
      code,
      name: share === undefined ? SEGMENT_NAMES[code] : `${SEGMENT_NAMES[code]} ${Math.round(share * 100)} %`,
      customers: row.customers,
      expectedBuyers: row.expectedBuyers,
      ...(valueColumn ? { expectedRevenue: row.expectedRevenue ?? 0 } : {}),
      minScore: row.minScore ?? 0,
    };
  });
  // The target list (top and next segments): what a campaign needs, in rank order; the first
  // attachRows go with the mail (and at least the action list's topN are read).
  const read = targets
    .slice(0, limit)
    .map((r) => customerOf({ ...r, value: valueColumn ? r.expected_revenue : undefined }));
  const list = read.slice(0, o.attachRows);
  const actions = read.slice(0, o.topN);
  const brief: Brief = {
    population,
    expectedBuyers: bySegment.reduce((n, s) => n + s.expectedBuyers, 0),
    segments: bySegment,
    actions,
    moversUp: [],
    moversDown: [],
    attachedRows: list.length,
    listRows: bySegment[0]!.customers + bySegment[1]!.customers,
    list,
    table: TABLE,
    sql: `SELECT * FROM ${TABLE} WHERE pipeline = '${pipeline.replace(/'/g, "''")}' AND segment IN ('high', 'medium') AND known_outcome = 0 ORDER BY score DESC;`,
  };
  if (valueColumn) brief.expectedRevenue = bySegment.reduce((n, s) => n + (s.expectedRevenue ?? 0), 0);
  if (o.horizonDays !== undefined) brief.horizonDays = o.horizonDays;

  const lastNight = await night(pool, pipeline, '<', businessDate);
  // The history keeps no known-outcome flag: with known rows tonight its totals are not comparable.
  const comparable = summary.knownOne === 0;
  if (lastNight) brief.lastNight = lastNight;
  if (!comparable) brief.deltas = false;
  const weekAgo = comparable ? await night(pool, pipeline, '<=', shiftDate(businessDate, -7)) : undefined;
  if (weekAgo) brief.weekAgo = weekAgo;
  if (lastNight) {
    const fresh = await queryRows<ListRow>(
      pool,
      `SELECT c.customer_id, c.score, c.segment, c.reasons${value}
         FROM ${TABLE} c LEFT JOIN customer_score_history h
           ON h.pipeline = c.pipeline AND h.business_date = ? AND h.customer_id = c.customer_id
        WHERE c.pipeline = ? AND c.run_key = ? AND c.segment = 'high' AND c.known_outcome = 0
          AND (h.segment IS NULL OR h.segment <> 'high')
        ORDER BY c.score DESC, c.customer_id`,
      [lastNight.businessDate, pipeline, runKey],
    );
    brief.newInTop = { count: fresh.length, examples: fresh.slice(0, EXAMPLES).map(customerOf) };
    brief.moversUp = await movers(pool, pipeline, runKey, lastNight.businessDate, 'DESC', o.movers);
    brief.moversDown = await movers(pool, pipeline, runKey, lastNight.businessDate, 'ASC', o.movers);
  }
  return brief;
}

function customerOf(r: ListRow): BriefCustomer {
  const c: BriefCustomer = {
    customerId: r.customer_id,
    score: Number(r.score),
    reasons: sentences(r.reasons),
  };
  if (r.segment) c.segment = r.segment;
  if (r.value !== undefined && r.value !== null && Number.isFinite(Number(r.value)))
    c.expectedValue = Number(r.value);
  return c;
}

/** The stored reasons that have a sentence, those pushing the score up most first. */
function worded(stored: unknown): { sentence: string; contribution: number }[] {
  const parsed = parseJsonValue<unknown>(stored);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(
      (r): r is { sentence: string; contribution?: unknown } =>
        !!r && typeof r === 'object' && typeof (r as { sentence?: unknown }).sentence === 'string',
    )
    .map((r) => ({ sentence: r.sentence, contribution: Number(r.contribution ?? 0) || 0 }))
    .sort((a, b) => b.contribution - a.contribution);
}

/** The reasons' sentences that push the score up, strongest first. */
function sentences(stored: unknown): string[] {
  return worded(stored)
    .filter((r) => r.contribution > 0)
    .map((r) => r.sentence);
}

/** The published night before (`<`) or at most (`<=`) a date, from the score history. */
async function night(
  pool: Pool,
  pipeline: string,
  op: '<' | '<=',
  date: string,
): Promise<BriefNight | undefined> {
  const [row] = await queryRows<{
    d: string | null;
    buyers: number | string | null;
    top: number | string | null;
  }>(
    pool,
    `SELECT DATE_FORMAT(h.business_date, '%Y-%m-%d') AS d, SUM(h.score) AS buyers, SUM(h.segment = 'high') AS top
       FROM customer_score_history h
      WHERE h.pipeline = ? AND h.business_date = (
        SELECT MAX(business_date) FROM customer_score_history WHERE pipeline = ? AND business_date ${op} ?)
      GROUP BY h.business_date`,
    [pipeline, pipeline, date],
  );
  if (!row?.d) return undefined;
  const [auc] = await queryRows<{ metrics: unknown }>(
    pool,
    `SELECT m.metrics FROM pipeline_runs r
       LEFT JOIN run_models rm ON rm.run_key = r.run_key
       JOIN model_versions m ON m.id = COALESCE(rm.version_id, (SELECT v.id FROM model_versions v WHERE v.run_key = r.run_key))
      WHERE r.pipeline = ? AND r.business_date = ? ORDER BY m.id DESC LIMIT 1`,
    [pipeline, row.d],
  );
  const metrics = parseJsonValue<{ rocAuc?: unknown } | null>(auc?.metrics);
  return {
    businessDate: row.d,
    expectedBuyers: Number(row.buyers ?? 0),
    topSegment: Number(row.top ?? 0),
    ...(typeof metrics?.rocAuc === 'number' ? { rocAuc: metrics.rocAuc } : {}),
  };
}

async function movers(
  pool: Pool,
  pipeline: string,
  runKey: string,
  lastNight: string,
  direction: 'ASC' | 'DESC',
  limit: number,
): Promise<BriefMover[]> {
  if (limit === 0) return [];
  const rows = await queryRows<{
    customer_id: string;
    previous: number | string;
    current: number | string;
    reasons: unknown;
  }>(
    pool,
    `SELECT c.customer_id, h.score AS previous, c.score AS current, c.reasons
       FROM ${TABLE} c JOIN customer_score_history h
         ON h.pipeline = c.pipeline AND h.business_date = ? AND h.customer_id = c.customer_id
      WHERE c.pipeline = ? AND c.run_key = ? AND c.known_outcome = 0 AND c.score ${direction === 'DESC' ? '>' : '<'} h.score
      ORDER BY c.score - h.score ${direction}, c.customer_id LIMIT ${limit}`,
    [lastNight, pipeline, runKey],
  );
  return rows.map((r) => {
    // A riser's strongest push up, a faller's strongest push down: never a reason pointing the other way.
    const why = worded(r.reasons);
    const reason =
      direction === 'DESC'
        ? why.find((x) => x.contribution > 0)?.sentence
        : why.findLast((x) => x.contribution < 0)?.sentence;
    return {
      customerId: r.customer_id,
      previous: Number(r.previous),
      current: Number(r.current),
      ...(reason ? { why: reason } : {}),
    };
  });
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
