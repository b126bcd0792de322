import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../ml/dataset.ts';
import { makeSynthetic } from '../../ml/datasets/synthetic.ts';
import { trainModel } from '../../ml/engine.ts';
import { createRng } from '../../ml/random.ts';
import { dependenceSuspects, leakRefitRecipe, leakSuspects } from './leak-guard.ts';

/** Synthetic customers plus a "duration"-like column known only after the outcome: shifted for buyers, noisy. */
function withPlanted(nRows: number, seed: number): Dataset {
  const d = makeSynthetic({ nRows, seed });
  const rng = createRng(seed, 77);
  const planted = Float64Array.from(d.labels, (y) => {
    const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return g + (y === 1 ? 1.6 : 0);
  });
  return {
    ...d,
    featureNames: [...d.featureNames, 'duration'],
    categorical: [...d.categorical, false],
    columns: [...d.columns, planted],
  };
}

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

  it('names a planted post-outcome column whose single-feature AUC is below 0.95, with its figure', async () => {
    const train = withPlanted(4_000, 1);
    const valid = withPlanted(2_000, 2);
    // The single-feature rule lets it pass: alone it separates the label only moderately.
    const alone = leakSuspects(valid, 0.95);
    expect(alone.map((x) => x.feature)).not.toContain('duration');
    const fit = (rows: Dataset) => trainModel(rows, { nTrees: 30, seed: 2 }, { threads: 1 });
    const model = await fit(train);
    const found = await dependenceSuspects(train, valid, model.featureImportance(), fit, {
      maxAucLoss: 0.02,
      maxImportanceShare: 0.6,
      topK: 3,
    });
    expect(found.map((x) => x.feature)).toEqual(['duration']);
    expect(found[0]!.rule).toBe('drop-column');
    expect(found[0]!.aucLoss).toBeGreaterThan(0.02);
  });

  it('refits with at most 30 trees and 30 boosting rounds, keeping the rest of the recipe', () => {
    expect(leakRefitRecipe({ nTrees: 100, maxDepth: 16, boost: {} })).toEqual({
      nTrees: 30,
      maxDepth: 16,
      boost: { maxIter: 30 },
    });
    expect(leakRefitRecipe({ nTrees: 10, boost: { maxIter: 12, learningRate: 0.2 } })).toEqual({
      nTrees: 10,
      boost: { maxIter: 12, learningRate: 0.2 },
    });
    expect(leakRefitRecipe({ nTrees: 50, boost: { maxIter: 500 } }).boost).toEqual({ maxIter: 30 });
  });
});
