import { describe, expect, it } from 'vitest';
import { decilesOf, rankOrder, ranksOf, SEGMENT_CODES } from './deciles.ts';

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

describe('ranksOf segments', () => {
  it('cuts by rank share, whatever the score scale', () => {
    // Every score above 0.5: a fixed threshold would call them all "high".
    const scores = Float64Array.from({ length: 200 }, (_, i) => 0.5 + i / 1000);
    const { segments } = ranksOf(scores, { top: 0.1, next: 0.2 });
    const count = (k: number): number => segments.filter((x) => x === k).length;
    expect([count(0), count(1), count(2)]).toEqual([20, 40, 140]);
    expect(SEGMENT_CODES[segments[199]!]).toBe('high');
    expect(SEGMENT_CODES[segments[0]!]).toBe('low');
  });

  it('honours configured shares and keeps missing scores in low', () => {
    const scores = Float64Array.from([0.9, NaN, 0.8, 0.7, 0.1]);
    const { segments } = ranksOf(scores, { top: 0.2, next: 0.4 });
    expect(Array.from(segments, (k) => SEGMENT_CODES[k])).toEqual(['high', 'low', 'medium', 'medium', 'low']);
  });
});

describe('rankOrder', () => {
  it('ranks as a sort by score descending, ties in input order, missing last', () => {
    // 50,000 scores on a coarse grid (many ties), some missing.
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const scores = Float64Array.from({ length: 50_000 }, () =>
      next() < 0.05 ? NaN : Math.round(next() * 200) / 200,
    );
    const key = (i: number): number => (Number.isNaN(scores[i]!) ? -Infinity : scores[i]!);
    const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
    expect(rankOrder(scores)).toEqual(Uint32Array.from(order));
  });
});
