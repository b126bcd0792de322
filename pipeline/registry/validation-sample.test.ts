import { describe, expect, it } from 'vitest';
import { makeSynthetic } from '../../ml/datasets/synthetic.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { sampleValidationRows } from './validation-sample.ts';

const matrix = (nRows: number, seed: number): FeatureMatrix => ({
  ...makeSynthetic({ nRows, seed }),
  ids: Array.from({ length: nRows }, (_, i) => `v${i}`),
});

const positives = (labels: Uint8Array): number => labels.reduce((s, l) => s + l, 0);

describe('sampleValidationRows', () => {
  it('keeps every row, the same matrix, when there are no more than the cap', async () => {
    const valid = matrix(2_000, 3);
    expect(await sampleValidationRows(valid, 2_000, 42)).toBe(valid);
    expect(await sampleValidationRows(valid, 5_000, 42)).toBe(valid);
  });

  it('above the cap: exactly the cap, base rate kept, rows whole with their ids, the same rows for a seed', async () => {
    const valid = matrix(9_001, 5);
    const a = await sampleValidationRows(valid, 1_500, 42);
    expect(a.nRows).toBe(1_500);
    expect(a.ids).toHaveLength(1_500);
    expect(
      Math.abs(positives(a.labels) - (1_500 * positives(valid.labels)) / valid.nRows),
    ).toBeLessThanOrEqual(1);
    // Each sampled row is a whole row of the validation rows: its id, label and every feature agree.
    const at = new Map(valid.ids.map((id, i) => [id, i]));
    a.ids.forEach((id, r) => {
      const i = at.get(id)!;
      expect(a.labels[r]).toBe(valid.labels[i]);
      for (let f = 0; f < valid.columns.length; f++) expect(a.columns[f]![r]).toBe(valid.columns[f]![i]);
    });
    expect(new Set(a.ids).size).toBe(1_500);
    // Deterministic: the same seed draws the same rows; another seed other rows.
    expect((await sampleValidationRows(valid, 1_500, 42)).ids).toEqual(a.ids);
    expect((await sampleValidationRows(valid, 1_500, 43)).ids).not.toEqual(a.ids);
  });
});
