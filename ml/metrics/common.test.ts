import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { descendingOrder } from './common.ts';

/** The order it replaces: a stable comparator sort of the indices by descending score. */
const reference = (scores: ArrayLike<number>): number[] =>
  Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );

describe('descendingOrder', () => {
  it('is the stable descending sort of the indices: ties in row order, -0 ties 0, infinities at the ends', () => {
    const rng = createRng(5);
    // Few distinct values (many ties, as isotonic-calibrated scores have), then all distinct.
    const tied = Float64Array.from({ length: 20_000 }, () => Math.floor(rng.next() * 37) / 36);
    const distinct = Float64Array.from({ length: 20_000 }, () => rng.next());
    const edges = [0.5, -0, 0, Infinity, 0.5, -Infinity, 1e-300, 0, -0, 1];
    for (const scores of [tied, distinct, edges, [], [0.3]])
      expect([...descendingOrder(scores)]).toEqual(reference(scores));
  });

  it('falls back to the comparator sort when a score is NaN', () => {
    const scores = [0.2, NaN, 0.9, 0.2];
    expect([...descendingOrder(scores)]).toEqual(reference(scores));
  });
});
