import type { SegmentsConfig } from '../../config/pipeline.ts';
import { rankOrder } from './deciles.ts';

/**
 * The first row of a rank band: rows ranked at or after it have a score below `score`, or the
 * same score and an input index at or after `index` (ranksOf's order: score descending, ties in
 * input order, missing scores last as −∞).
 */
export interface RankCut {
  /** The score at the cut; null = a missing score (ranked last). */
  score: number | null;
  index: number;
}

export interface RankCuts {
  /** cuts[d - 1] starts decile d + 1 (d = 1..9); null = that decile is empty. */
  deciles: (RankCut | null)[];
  /** Where `medium` and `low` start; null = that segment is empty. */
  medium: RankCut | null;
  low: RankCut | null;
}

/** Missing scores as the SQL below sees them: below any probability. */
const MISSING = -1e308;

/**
 * ranksOf as cut points, so the deciles and segments of rows held in MySQL (scored in chunks by
 * several workers) are set by one INSERT ... SELECT with the very numbers ranksOf would give.
 */
export function rankCuts(scores: Float64Array, s: SegmentsConfig): RankCuts {
  const n = scores.length;
  const key = (i: number): number => (scores[i]! === scores[i]! ? scores[i]! : -Infinity);
  const order = rankOrder(scores);
  const at = (rank: number): RankCut | null => {
    if (rank >= n) return null;
    const i = order[rank]!;
    return { score: Number.isFinite(key(i)) ? scores[i]! : null, index: i };
  };
  const high = Math.round(n * s.top);
  const medium = high + Math.round(n * s.next);
  return {
    // Decile d + 1 starts at the first rank r with floor(10 r / n) >= d.
    deciles: Array.from({ length: 9 }, (_, d) => at(Math.ceil(((d + 1) * n) / 10))),
    medium: at(high),
    low: at(medium),
  };
}

/**
 * SQL for a row's decile and segment code from the cuts; `score` and `index` are column
 * expressions (the score, and the row's index in the night's id order). Returns the SQL and its
 * parameters (cuts are bound, never printed into the text).
 */
export function rankSql(
  cuts: RankCuts,
  score: string,
  index: string,
): { decile: string; segment: string; params: (string | number)[] } {
  // Scores go as text: MySQL compares a DOUBLE with a string as doubles (a bare 0.123 would be a
  // DECIMAL literal), parsed exactly as the stored scores were.
  const params: (string | number)[] = [];
  const key = `COALESCE(${score}, ${MISSING})`;
  // At or after the cut: a lower key, or the same key and a later index.
  const after = (c: RankCut): string => {
    const v = String(c.score ?? MISSING);
    params.push(v, v, c.index);
    return `(${key} < ? OR (${key} = ? AND ${index} >= ?))`;
  };
  const decileParts: string[] = [];
  for (let d = 9; d >= 1; d--) {
    const c = cuts.deciles[d - 1];
    if (c) decileParts.push(`WHEN ${after(c)} THEN ${d + 1}`);
  }
  const decile = decileParts.length ? `CASE ${decileParts.join(' ')} ELSE 1 END` : '1';
  // Segment codes as SEGMENT_CODES: 'high', 'medium', 'low'; a missing score is always low.
  const segParts = [`WHEN ${score} IS NULL THEN 'low'`];
  if (cuts.low) segParts.push(`WHEN ${after(cuts.low)} THEN 'low'`);
  if (cuts.medium) segParts.push(`WHEN ${after(cuts.medium)} THEN 'medium'`);
  const segment = `CASE ${segParts.join(' ')} ELSE 'high' END`;
  return { decile, segment, params };
}
