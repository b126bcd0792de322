import { describe, expect, it } from 'vitest';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { crossValidate } from './cross-validate.ts';

describe('crossValidate', () => {
  const data = makeSynthetic({ nRows: 1_200, seed: 5 });
  const params = { nTrees: 8, maxDepth: 6, seed: 3 };

  it('gives one AUC per fold, their mean and spread, reproducibly from the seed', async () => {
    const signal = new AbortController().signal;
    const folds: number[] = [];
    const cv = await crossValidate(data, params, 3, {
      threads: 1,
      signal,
      onFold: (done) => folds.push(done),
    });
    expect(folds).toEqual([1, 2, 3]);
    expect(cv.rocAuc.values).toHaveLength(3);
    for (const v of cv.rocAuc.values) expect(v).toBeGreaterThan(0.6);
    expect(cv.rocAuc.mean).toBeCloseTo(cv.rocAuc.values.reduce((a, b) => a + b) / 3, 12);
    const m = cv.rocAuc.mean;
    expect(cv.rocAuc.sd).toBeCloseTo(
      Math.sqrt(cv.rocAuc.values.reduce((a, v) => a + (v - m) ** 2, 0) / 2),
      12,
    );
    expect(await crossValidate(data, params, 3, { threads: 2, signal })).toEqual({ ...cv });
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(crossValidate(data, params, 3, { threads: 1, signal: ac.signal })).rejects.toThrow();
  });
});
