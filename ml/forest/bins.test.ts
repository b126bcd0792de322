import { describe, expect, it } from 'vitest';
import { binColumns, binOf, computeCuts } from './bins.ts';

describe('computeCuts / binOf', () => {
  it('gives each distinct value its own bin when they fit, cutting at midpoints', () => {
    const cuts = computeCuts(Float64Array.from([3, 1, 2, 2, NaN, 1]), 256);
    expect(Array.from(cuts)).toEqual([1.5, 2.5]);
    // bin 0 = missing, 1 = {1}, 2 = {2}, 3 = {3}; unseen values fall in the nearest side.
    expect([NaN, 1, 2, 3, 0.2, 9].map((v) => binOf(cuts, v))).toEqual([0, 1, 2, 3, 1, 3]);
  });

  it('caps bins by quantiles and keeps a heavy value in a single bin', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i < 5000 ? 0 : i));
    const cuts = computeCuts(values, 17);
    expect(cuts.length).toBeLessThanOrEqual(15);
    expect(binOf(cuts, 0)).toBe(1);
    // The cut sits midway between 0 and the next value (5000), so 5000 opens bin 2.
    expect(binOf(cuts, 5000)).toBe(2);
  });
});

describe('binColumns', () => {
  it('bins column-major with "bin ≤ t" equivalent to "v ≤ cuts[t-1]"', async () => {
    const a = Float64Array.from([0.5, 0.1, 0.9, NaN]);
    const b = Float64Array.from([1, 1, 2, 3]);
    const m = await binColumns([a, b], 4, 256);
    expect(Array.from(m.bins)).toEqual([2, 1, 3, 0, 1, 1, 2, 3]);
    // 3 distinct values → 2 cuts → value bins 1..3 plus missing bin 0.
    expect(Array.from(m.nBins)).toEqual([4, 4]);
    for (let t = 1; t <= 2; t++) {
      for (const v of [0.1, 0.5, 0.9]) expect(binOf(m.cuts[0]!, v) <= t).toBe(v <= m.cuts[0]![t - 1]!);
    }
  });
});
