import { describe, expect, it } from 'vitest';
import { trainCalibratedOn } from '../calibration/train-calibrated.ts';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { rocAuc } from '../metrics.ts';
import { crossFitScores, type FitRecipe } from './cross-fit.ts';
import { hashFolds } from './hash-folds.ts';

const data = makeSynthetic({ nRows: 1_200, seed: 5 });
const ids = Array.from({ length: data.nRows }, (_, i) => `c${i}`);
// The train step's recipe: fit on part of the fold's rows, calibrate on the rest (chosen by id hash).
const fit: FitRecipe = (train, trainIds) =>
  trainCalibratedOn(train, trainIds, { nTrees: 15, seed: 3, minSamplesLeaf: 5 }, 0.2, { threads: 1 });

describe('cross-fitted scores', () => {
  it("a row's score does not change when its own label flips; other folds' scores do", async () => {
    const before = await crossFitScores(data, ids, fit, 4, 7);
    const row = 17;
    const flipped = { ...data, labels: Uint8Array.from(data.labels) };
    flipped.labels[row] = 1 - flipped.labels[row]!;
    const after = await crossFitScores(flipped, ids, fit, 4, 7);
    expect(after.scores[row]).toBe(before.scores[row]);
    // The flip is visible to models that trained on the row: some row of another fold moved.
    const others = Array.from(before.scores.keys()).filter((i) => before.folds[i] !== before.folds[row]);
    expect(others.some((i) => after.scores[i] !== before.scores[i])).toBe(true);
    // And out-of-fold scores still rank: every row scored by a model that never saw it.
    expect(Number.isNaN(before.scores[0]!)).toBe(false);
    expect(rocAuc(data.labels, before.scores)).toBeGreaterThan(0.75);
  });

  it('scores do not depend on the order rows come in (labeled mode hands them split by label)', async () => {
    const before = await crossFitScores(data, ids, fit, 3, 7);
    const order = Array.from(ids.keys()).reverse();
    const reordered = {
      ...data,
      columns: data.columns.map((c) => Float64Array.from(order, (i) => c[i]!)),
      labels: Uint8Array.from(order, (i) => data.labels[i]!),
    };
    const after = await crossFitScores(
      reordered,
      order.map((i) => ids[i]!),
      fit,
      3,
      7,
    );
    expect(Array.from(after.scores).reverse()).toEqual(Array.from(before.scores));
  });

  it('folds come from (seed, id) alone: same for any order or label, about k equal parts', () => {
    const folds = hashFolds(ids, 7, 5);
    const reversed = hashFolds([...ids].reverse(), 7, 5);
    expect(Array.from(reversed).reverse()).toEqual(Array.from(folds));
    const sizes = [0, 0, 0, 0, 0];
    for (const f of folds) sizes[f]! += 1;
    for (const s of sizes) expect(Math.abs(s - ids.length / 5)).toBeLessThan(ids.length * 0.05);
    expect(Array.from(hashFolds(ids, 8, 5))).not.toEqual(Array.from(folds));
  });
});
