import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import { stratifiedSample } from './stratified-sample.ts';

/** 0/1 labels with about `rate` positives, clustered so a sample by position would miss the rate. */
function labelsOf(n: number, rate: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() < (i < n / 2 ? rate * 1.6 : rate * 0.4) ? 1 : 0;
  return out;
}

const positives = (labels: Uint8Array, idx: Uint32Array) => idx.reduce((s, i) => s + labels[i]!, 0);

describe('stratifiedSample', () => {
  it('keeps the base rate to within one row, draws each row once, ascending', async () => {
    for (const [n, size, rate] of [
      [50_003, 1_000, 0.21],
      [7_919, 6_000, 0.03],
      [45_000, 44_999, 0.5],
      [30_000, 1_001, 0.001],
    ] as const) {
      const labels = labelsOf(n, rate, n);
      const pos = labels.reduce((s, l) => s + l, 0);
      const idx = await stratifiedSample(labels, size, 7);
      expect(idx.length).toBe(size);
      expect(Math.abs(positives(labels, idx) - (size * pos) / n)).toBeLessThanOrEqual(1);
      expect(idx.every((v, i) => i === 0 || v > idx[i - 1]!)).toBe(true);
      expect(idx[idx.length - 1]!).toBeLessThan(n);
    }
  });

  it('is the same sample for the same seed, another for another seed, and spread over all rows', async () => {
    const labels = labelsOf(40_000, 0.2, 1);
    const a = await stratifiedSample(labels, 4_000, 42);
    expect(await stratifiedSample(labels, 4_000, 42)).toEqual(a);
    const b = await stratifiedSample(labels, 4_000, 43);
    expect(b).not.toEqual(a);
    // Not the first rows: about a quarter of the draws fall in each quarter of the table.
    for (let q = 0; q < 4; q++) {
      const inQuarter = a.filter((i) => i >= q * 10_000 && i < (q + 1) * 10_000).length;
      expect(inQuarter).toBeGreaterThan(800);
      expect(inQuarter).toBeLessThan(1_200);
    }
  });

  it('takes every row, in order, when the size is not below the row count', async () => {
    const labels = labelsOf(2_500, 0.3, 3);
    const all = Uint32Array.from({ length: 2_500 }, (_, i) => i);
    expect(await stratifiedSample(labels, 2_500, 1)).toEqual(all);
    expect(await stratifiedSample(labels, 1_000_000, 1)).toEqual(all);
  });

  it('rejects a size that is not a non-negative integer', async () => {
    await expect(stratifiedSample(new Uint8Array(10), 2.5, 1)).rejects.toThrow(
      /non-negative integer, got 2.5/,
    );
  });
});
