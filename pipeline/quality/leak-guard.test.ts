import { describe, expect, it } from 'vitest';
import { leakSuspects } from './leak-guard.ts';

const labels = Uint8Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : 0));

describe('leak guard', () => {
  it('names a feature that alone separates the label, in either direction, and leaves honest ones alone', () => {
    const leak = Float64Array.from(labels, (l, i) => (l ? 10 + (i % 7) : i % 7)); // PageValues-like: > 0 only for buyers
    const inverse = Float64Array.from(labels, (l) => (l ? 0 : 1));
    const honest = Float64Array.from(labels, (l, i) => (i % 10) + l * 2);
    const s = leakSuspects(
      {
        featureNames: ['leak', 'inverse', 'honest'],
        categorical: [false, false, false],
        columns: [leak, inverse, honest],
        labels,
      },
      0.95,
    );
    expect(s.map((x) => x.feature)).toEqual(['leak', 'inverse']);
    expect(s[0]!.auc).toBe(1);
  });

  it('ranks missing values lowest and catches an id-like categorical', () => {
    const missing = Float64Array.from(labels, (l) => (l ? 5 : NaN));
    const idLike = Float64Array.from(labels, (_, i) => i);
    const s = leakSuspects(
      { featureNames: ['missing', 'id'], categorical: [false, true], columns: [missing, idLike], labels },
      0.95,
    );
    expect(s.map((x) => x.feature).sort()).toEqual(['id', 'missing']);
  });
});
