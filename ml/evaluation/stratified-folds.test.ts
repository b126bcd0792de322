import { describe, expect, it } from 'vitest';
import { stratifiedFolds } from './stratified-folds.ts';

describe('stratifiedFolds', () => {
  const labels = Uint8Array.from({ length: 103 }, (_, i) => (i % 5 === 0 ? 1 : 0)); // 21 positives, 82 negatives

  it('every fold keeps the positive rate and sizes differ by at most one', () => {
    const fold = stratifiedFolds(labels, 5, 7);
    const size = [0, 0, 0, 0, 0];
    const pos = [0, 0, 0, 0, 0];
    fold.forEach((f, i) => {
      size[f]!++;
      pos[f]! += labels[i]!;
    });
    expect(Math.max(...size) - Math.min(...size)).toBeLessThanOrEqual(1);
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect(size.reduce((a, b) => a + b)).toBe(103);
  });

  it('is reproducible from the seed and changes with it', () => {
    expect(stratifiedFolds(labels, 5, 7)).toEqual(stratifiedFolds(labels, 5, 7));
    expect(stratifiedFolds(labels, 5, 8)).not.toEqual(stratifiedFolds(labels, 5, 7));
  });

  it('rejects k below 2', () => {
    expect(() => stratifiedFolds(labels, 1, 7)).toThrow('k must be an integer in 2..255');
  });
});
