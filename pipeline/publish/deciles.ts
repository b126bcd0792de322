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
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (i: number): number => (scores[i]! === scores[i]! ? scores[i]! : -Infinity);
  order.sort((a, b) => key(b) - key(a) || a - b);
  const deciles = new Uint8Array(n);
  const segments = new Uint8Array(n);
  const high = Math.round(n * s.top);
  const medium = high + Math.round(n * s.next);
  for (let rank = 0; rank < n; rank++) {
    const i = order[rank]!;
    deciles[i] = Math.floor((rank * 10) / n) + 1;
    segments[i] = key(i) === -Infinity ? 2 : rank < high ? 0 : rank < medium ? 1 : 2;
  }
  return { deciles, segments };
}

export function decilesOf(scores: Float64Array): Uint8Array {
  return ranksOf(scores, { top: 0.1, next: 0.2 }).deciles;
}
