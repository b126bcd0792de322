import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { scoreOrder } from './score-order.ts';

/** What it replaces: a stable comparator sort of the indices of the rows with a number as score. */
const reference = (scores: ArrayLike<number>, direction: 'ascending' | 'descending'): number[] =>
  Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => scores[i] === scores[i])
    .sort((a, b) => {
      const d = (scores[a] as number) - (scores[b] as number);
      return (direction === 'ascending' ? d : -d) || a - b;
    });

describe('scoreOrder', () => {
  const rng = createRng(11);
  // Many ties (isotonic-calibrated scores, forest leaves), all distinct, and signed values across
  // every digit of the key (negatives, subnormals, huge magnitudes).
  const tied = Float64Array.from({ length: 30_000 }, () => Math.floor(rng.next() * 41) / 40);
  const distinct = Float64Array.from({ length: 30_000 }, () => rng.next());
  const signed = Float64Array.from(
    { length: 30_000 },
    () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 40 - 20),
  );
  const edges = [
    0.5,
    -0,
    0,
    Infinity,
    0.5,
    -Infinity,
    1e-300,
    -5e-324,
    5e-324,
    0,
    -0,
    1,
    -1,
    Number.MAX_VALUE,
  ];

  it('is the stable sort of the indices either way: ties in row order, -0 ties 0, infinities at the ends', () => {
    for (const scores of [tied, distinct, signed, edges, [], [0.3]])
      for (const direction of ['ascending', 'descending'] as const)
        expect([...scoreOrder(scores, direction)]).toEqual(reference(scores, direction));
  });

  it('leaves out rows whose score is NaN, the others in the same order', () => {
    const scores = Float64Array.from(tied, (v, i) => (i % 7 === 3 ? NaN : v));
    for (const direction of ['ascending', 'descending'] as const) {
      const order = scoreOrder(scores, direction);
      expect(order.length).toBe(scores.length - Math.ceil((scores.length - 3) / 7));
      expect([...order]).toEqual(reference(scores, direction));
    }
    expect([...scoreOrder([NaN, NaN], 'ascending')]).toEqual([]);
  });
});
