import type { SegmentsConfig } from '../../config/pipeline.ts';

export type Segment = 'high' | 'medium' | 'low';
export const SEGMENT_CODES: readonly Segment[] = ['high', 'medium', 'low'];

export interface Ranks {
  /** 1 = the highest tenth of scores. */
  deciles: Uint8Array;
  /** 0 = high (the top share), 1 = medium (the next share), 2 = low (the rest); index into SEGMENT_CODES. */
  segments: Uint8Array;
}

/**
 * Deciles and segments by rank, not by a fixed score: "the top 10 %" is the top 10 % of tonight's
 * customers whatever the score scale (a fixed 0.5 cut put 56 % of one shop's customers in "high").
 * Ties keep input (customer id) order, so the result is deterministic and every decile holds a
 * tenth of the customers even when many share a score. Missing scores (NaN) rank last, in `low`.
 */
export function ranksOf(scores: Float64Array, s: SegmentsConfig): Ranks {
  const n = scores.length;
  const rank = ranksByScore(scores);
  const deciles = new Uint8Array(n);
  const segments = new Uint8Array(n);
  const high = Math.round(n * s.top);
  const medium = high + Math.round(n * s.next);
  for (let i = 0; i < n; i++) {
    const r = rank[i]!;
    deciles[i] = Math.floor((r * 10) / n) + 1;
    segments[i] = scores[i]! !== scores[i]! ? 2 : r < high ? 0 : r < medium ? 1 : 2;
  }
  return { deciles, segments };
}

/**
 * Each row's rank (0 = best): score descending, ties in input order, missing scores last. One
 * native sort of the keys and two binary searches a row, rather than a comparator sort of the
 * indexes (a million comparator calls held the event loop for seconds).
 */
export function ranksByScore(scores: Float64Array): Uint32Array {
  const n = scores.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = scores[i]! === scores[i]! ? scores[i]! : -Infinity;
  const sorted = Float64Array.from(keys).sort();
  // Ties take consecutive ranks in input order: a cursor per run of equal keys (at its first index).
  const taken = new Uint32Array(n);
  const rank = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = keys[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = n - lo + taken[first]!++;
  }
  return rank;
}

export function decilesOf(scores: Float64Array): Uint8Array {
  return ranksOf(scores, { top: 0.1, next: 0.2 }).deciles;
}
