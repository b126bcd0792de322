import { describe, expect, it } from 'vitest';
import { decilesOf, segmentOf } from './deciles.ts';

describe('decilesOf', () => {
  it('puts the highest tenth in decile 1 and the lowest in decile 10', () => {
    const scores = Float64Array.from({ length: 100 }, (_, i) => i / 100);
    const d = decilesOf(scores);
    expect(d[99]).toBe(1);
    expect(d[0]).toBe(10);
    for (let k = 1; k <= 10; k++) expect(d.filter((x) => x === k).length).toBe(10);
  });

  it('splits ties by input order and ranks missing scores last', () => {
    const d = decilesOf(Float64Array.from([0.5, 0.5, NaN, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]));
    expect(Array.from(d)).toEqual([1, 2, 10, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('segmentOf', () => {
  it('uses the pipeline thresholds, inclusive', () => {
    const s = { high: 0.6, medium: 0.3 };
    expect([0.6, 0.59, 0.3, 0.29].map((x) => segmentOf(x, s))).toEqual(['high', 'medium', 'medium', 'low']);
  });
});
