import type { Pool } from 'mysql2/promise';
import type { HistogramBin } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

/** The published view analysts query. */
const TABLE = 'customer_scores';
export const HISTOGRAM_BINS = 20;
/** Rows the target list and the CSV may hold: scored, outcome unknown (and for the list, top or next segment). */
export const UNKNOWN = 'score IS NOT NULL AND known_outcome = 0';
export const TARGETS = `segment IN ('high', 'medium') AND ${UNKNOWN}`;

export interface SegmentTotals {
  customers: number;
  /** SUM(score), added in the table's scan order (as a GROUP BY segment adds them). */
  expectedBuyers: number;
  minScore: number | null;
  expectedRevenue: number | null;
}

/** Tonight's published scores of one run, counted in two grouped scans of the table. */
export interface ScoresSummary {
  rows: number;
  /** SUM(known_outcome). */
  known: number;
  /** Rows with known_outcome = 1. */
  knownOne: number;
  /** Rows whose outcome is not known: the brief's population. */
  unknown: number;
  /** Whether the view has the customer-value columns (older schemas did not). */
  hasValue: boolean;
  segments: Record<'high' | 'medium' | 'low', SegmentTotals>;
  histogram: HistogramBin[];
  /** The highest scored, unknown-outcome score outside the target segments; null if there is none. */
  maxOutsideTargets: number | null;
  /** Target rows per histogram bin (index = bin), for the target list's WHERE. */
  targetsInBin: number[];
}

/** The bin of a score in the histogram; the target list filters on the same expression. */
export const BIN = `LEAST(FLOOR(score * ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS - 1})`;

interface GroupRow {
  known: number | string;
  segment: string | null;
  n: number | string;
  buyers: number | string | null;
  min_score: number | string | null;
  max_score: number | string | null;
  revenue: number | string | null;
  target: number | string | null;
}

/**
 * Every count and total the score sections need, in two scans of the run's published rows
 * (each scan of a million rows carrying their reasons costs about a second; the report made six):
 * one grouped by outcome and segment (row and known-outcome counts, the segments' customers,
 * expected buyers, lowest score and revenue), one by histogram bin (the distribution, and how
 * many target rows each bin holds, so the target list sorts only the bins it needs). The two run
 * at once. Each segment's SUM(score) adds the same rows in the same (scan) order as a
 * `WHERE known_outcome = 0 GROUP BY segment` does, so the totals are the same to the last bit.
 */
export async function scoresSummary(pool: Pool, pipeline: string, runKey: string): Promise<ScoresSummary> {
  const hasValue = await hasColumn(pool, 'expected_revenue');
  const [groups, bins] = await Promise.all([
    queryRows<GroupRow>(
      pool,
      `SELECT known_outcome AS known, segment, COUNT(*) AS n, SUM(score) AS buyers, MIN(score) AS min_score,
              MAX(score) AS max_score, ${hasValue ? 'SUM(expected_revenue)' : 'NULL'} AS revenue,
              MAX(segment IN ('high', 'medium')) AS target
         FROM ${TABLE} WHERE pipeline = ? AND run_key = ? GROUP BY known_outcome, segment`,
      [pipeline, runKey],
    ),
    queryRows<{ b: number | string; t: number | string | null; n: number | string }>(
      pool,
      `SELECT ${BIN} AS b, ${TARGETS} AS t, COUNT(*) AS n
         FROM ${TABLE} WHERE pipeline = ? AND run_key = ? AND score IS NOT NULL GROUP BY b, t`,
      [pipeline, runKey],
    ),
  ]);
  const maybe = (v: number | string | null): number | null => (v === null ? null : Number(v));
  const sum = (rows: GroupRow[]) => rows.reduce((n, g) => n + Number(g.n), 0);
  const unknown = groups.filter((g) => Number(g.known) === 0);
  // As `segments.find(s => s.segment === code)` read the GROUP BY segment rows.
  const totals = (code: string): SegmentTotals => {
    const g = unknown.find((r) => r.segment === code);
    return {
      customers: Number(g?.n ?? 0),
      expectedBuyers: Number(g?.buyers ?? 0),
      minScore: maybe(g?.min_score ?? null),
      expectedRevenue: maybe(g?.revenue ?? null),
    };
  };
  const outside = unknown
    .filter((g) => Number(g.target ?? 0) !== 1 && g.max_score !== null)
    .map((g) => Number(g.max_score));
  const count = (b: number, target?: boolean) =>
    bins
      .filter((r) => Number(r.b) === b && (target === undefined || (Number(r.t ?? 0) === 1) === target))
      .reduce((n, r) => n + Number(r.n), 0);
  return {
    rows: sum(groups),
    known: groups.reduce((n, g) => n + Number(g.known) * Number(g.n), 0),
    knownOne: sum(groups.filter((g) => Number(g.known) === 1)),
    unknown: sum(unknown),
    hasValue,
    segments: { high: totals('high'), medium: totals('medium'), low: totals('low') },
    histogram: Array.from({ length: HISTOGRAM_BINS }, (_, b) => ({
      start: b / HISTOGRAM_BINS,
      end: (b + 1) / HISTOGRAM_BINS,
      count: count(b),
    })),
    maxOutsideTargets: outside.length ? Math.max(...outside) : null,
    targetsInBin: Array.from({ length: HISTOGRAM_BINS }, (_, b) => count(b, true)),
  };
}

/**
 * The highest bin such that the target rows in it and above number at least `limit`: the top
 * `limit` target rows all lie there, so `${BIN} >= bin` changes nothing but the rows sorted.
 * Undefined when no bin above the first does (the whole target set is sorted).
 */
export function targetFloor(summary: ScoresSummary, limit: number): number | undefined {
  let above = 0;
  for (let b = HISTOGRAM_BINS - 1; b > 0; b--) {
    above += summary.targetsInBin[b] ?? 0;
    if (above >= limit) return b;
  }
  return undefined;
}

async function hasColumn(pool: Pool, column: string): Promise<boolean> {
  const rows = await queryRows<{ n: number | string }>(
    pool,
    'SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [TABLE, column],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
