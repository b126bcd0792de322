import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './split.ts';

describe('stratifiedSplit', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? 1 : 0));

  it('keeps the positive rate on both sides and covers every row once', () => {
    const { train, test } = stratifiedSplit(labels, 0.2, 1);
    expect(test.length).toBe(200);
    expect(train.length).toBe(800);
    // 200 positives × 0.2 = 40 in test, 160 in train.
    expect(Array.from(test).filter((i) => labels[i] === 1).length).toBe(40);
    expect(new Set([...train, ...test]).size).toBe(1000);
  });

  it('is reproducible by seed', () => {
    expect(stratifiedSplit(labels, 0.2, 1).test).toEqual(stratifiedSplit(labels, 0.2, 1).test);
    expect(stratifiedSplit(labels, 0.2, 2).test).not.toEqual(stratifiedSplit(labels, 0.2, 1).test);
  });
});
