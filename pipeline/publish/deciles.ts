import type { SegmentsConfig } from '../../config/pipeline.ts';

/**
 * Decile 1 holds the highest scores. Ties keep input (customer id) order, so the result is
 * deterministic and every decile holds a tenth of the customers even when many share a score.
 * Missing scores (NaN) rank last.
 */
export function decilesOf(scores: Float64Array): Uint8Array {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (i: number): number => (scores[i]! === scores[i]! ? scores[i]! : -Infinity);
  order.sort((a, b) => key(b) - key(a) || a - b);
  const out = new Uint8Array(n);
  for (let rank = 0; rank < n; rank++) out[order[rank]!] = Math.floor((rank * 10) / n) + 1;
  return out;
}

export type Segment = 'high' | 'medium' | 'low';

export function segmentOf(score: number, s: SegmentsConfig): Segment {
  return score >= s.high ? 'high' : score >= s.medium ? 'medium' : 'low';
}
