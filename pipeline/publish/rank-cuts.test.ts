import { describe, expect, it } from 'vitest';
import { ranksOf, SEGMENT_CODES } from './deciles.ts';
import { type RankCut, rankCuts } from './rank-cuts.ts';

/** The predicate rankSql writes, evaluated in JS: row i is at or after the cut. */
function after(c: RankCut, scores: Float64Array, i: number): boolean {
  const key = (v: number): number => (Number.isNaN(v) ? -Infinity : v);
  const cut = c.score === null ? -Infinity : c.score;
  return key(scores[i]!) < cut || (key(scores[i]!) === cut && i >= c.index);
}

function viaCuts(scores: Float64Array, top: number, next: number): { deciles: number[]; segments: string[] } {
  const cuts = rankCuts(scores, { top, next });
  const deciles: number[] = [];
  const segments: string[] = [];
  for (let i = 0; i < scores.length; i++) {
    let d = 1;
    for (let k = 9; k >= 1; k--) {
      const c = cuts.deciles[k - 1];
      if (c && after(c, scores, i)) {
        d = k + 1;
        break;
      }
    }
    deciles.push(d);
    segments.push(
      Number.isNaN(scores[i]!)
        ? 'low'
        : cuts.low && after(cuts.low, scores, i)
          ? 'low'
          : cuts.medium && after(cuts.medium, scores, i)
            ? 'medium'
            : 'high',
    );
  }
  return { deciles, segments };
}

describe('rankCuts', () => {
  it('gives every row the decile and segment ranksOf gives, with ties and missing scores', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 2, 9, 10, 11, 97, 1000]) {
      // Few distinct values: ties across every cut.
      const scores = Float64Array.from({ length: n }, () =>
        rand() < 0.05 ? NaN : Math.round(rand() * 20) / 20,
      );
      const want = ranksOf(scores, { top: 0.1, next: 0.25 });
      const got = viaCuts(scores, 0.1, 0.25);
      expect(got.deciles).toEqual(Array.from(want.deciles));
      expect(got.segments).toEqual(Array.from(want.segments, (s) => SEGMENT_CODES[s]));
    }
  });

  it('leaves the empty bands of a tiny night without cuts', () => {
    const cuts = rankCuts(Float64Array.from([0.3]), { top: 0.1, next: 0.2 });
    expect(cuts.deciles.every((c) => c === null)).toBe(true);
    expect(cuts.medium).toEqual({ score: 0.3, index: 0 });
  });
});
