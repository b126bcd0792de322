import type { SegmentsConfig } from '../../config/pipeline.ts';
import { descendingOrder } from '../../ml/metrics/common.ts';

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
  const order = rankOrder(scores);
  const deciles = new Uint8Array(n);
  const segments = new Uint8Array(n);
  const high = Math.round(n * s.top);
  const medium = high + Math.round(n * s.next);
  for (let rank = 0; rank < n; rank++) {
    const i = order[rank]!;
    deciles[i] = Math.floor((rank * 10) / n) + 1;
    segments[i] = scores[i]! !== scores[i]! ? 2 : rank < high ? 0 : rank < medium ? 1 : 2;
  }
  return { deciles, segments };
}

/**
 * Row indexes by rank (0 = best): score descending, ties in input order, missing scores last;
 * one native sort, not a comparator sort of a million indexes (it held the event loop for seconds).
 */
export function rankOrder(scores: Float64Array): Uint32Array {
  return descendingOrder(scores.map((v) => (v === v ? v : -Infinity)));
}

export function decilesOf(scores: Float64Array): Uint8Array {
  return ranksOf(scores, { top: 0.1, next: 0.2 }).deciles;
}
