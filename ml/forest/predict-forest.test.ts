import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../random.ts';
import { explainRow, scoreTopForest } from './explain-forest.ts';
import type { ForestArrays } from './forest-arrays.ts';
import { blockRows, predictForest, predictLayout } from './predict-forest.ts';

/**
 * The scoring walk (four rows down a tree at once, the child picked by arithmetic) against the
 * plainest reading of a forest: one row, one tree, one node at a time. Forests are random, so
 * every shape occurs (leaves at every depth, NaN sent left and right), and the values include
 * NaN, ±Infinity and the thresholds themselves (x ≤ threshold goes left).
 */

const THRESHOLDS = [-2, -0.5, 0, 0.25, 1, 3];

function randomForest(rng: Rng, nTrees: number, nFeatures: number, maxDepth: number): ForestArrays {
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingLeft: number[] = [];
  const left: number[] = [];
  const value: number[] = [];
  const roots: number[] = [];
  // Children are numbered next to each other (right = left + 1), as the engines lay them out.
  const grow = (n: number, depth: number): void => {
    value[n] = rng.next();
    if (depth === maxDepth || (depth > 1 && rng.next() < 0.2)) {
      feature[n] = -1;
      threshold[n] = 0;
      missingLeft[n] = 0;
      left[n] = -1;
      return;
    }
    const l = value.length;
    value.push(0, 0);
    feature[n] = rng.int(nFeatures);
    threshold[n] = THRESHOLDS[rng.int(THRESHOLDS.length)]!;
    missingLeft[n] = rng.int(2);
    left[n] = l;
    grow(l, depth + 1);
    grow(l + 1, depth + 1);
  };
  for (let t = 0; t < nTrees; t++) {
    roots.push(value.length);
    value.push(0);
    grow(roots[t]!, 0);
  }
  return {
    nFeatures,
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    value: Float64Array.from(value),
  };
}

function randomColumns(rng: Rng, nFeatures: number, n: number): Float64Array[] {
  const special = [NaN, Infinity, -Infinity, ...THRESHOLDS];
  return Array.from({ length: nFeatures }, () =>
    Float64Array.from({ length: n }, () =>
      rng.next() < 0.3 ? special[rng.int(special.length)]! : (rng.next() - 0.5) * 8,
    ),
  );
}

/** One row down every tree: the mean leaf value and the Saabas contribution of each feature. */
function reference(f: ForestArrays, columns: Float64Array[], row: number) {
  let sum = 0;
  const contributions = new Float64Array(f.nFeatures);
  for (const root of f.roots) {
    let n = root;
    while (f.feature[n]! >= 0) {
      const x = columns[f.feature[n]!]![row]!;
      const goLeft = Number.isNaN(x) ? f.missingLeft[n] === 1 : x <= f.threshold[n]!;
      const next = goLeft ? f.left[n]! : f.left[n]! + 1;
      contributions[f.feature[n]!]! += f.value[next]! - f.value[n]!;
      n = next;
    }
    sum += f.value[n]!;
  }
  return { proba: sum / f.roots.length, contributions: contributions.map((c) => c / f.roots.length) };
}

describe('the forest walk', () => {
  const rng = createRng(17);
  // 512 features: a block is then 4,096 rows, so a few thousand rows cross block boundaries.
  const nFeatures = 512;
  const forest = randomForest(rng, 24, nFeatures, 9);
  const layout = predictLayout(forest);

  it('gives each row the mean of its leaves, whatever the count of rows in the last group of four', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 9, 2 * blockRows(nFeatures) + 3]) {
      const columns = randomColumns(rng, nFeatures, n);
      const proba = predictForest(layout, columns);
      const expected = Float64Array.from({ length: n }, (_, r) => reference(forest, columns, r).proba);
      expect(proba, `${n} rows`).toEqual(expected);
    }
  });

  it('credits every split to its feature: contributions and the top reasons match the plain walk', () => {
    const n = blockRows(nFeatures) + 6;
    const columns = randomColumns(rng, nFeatures, n);
    const k = 3;
    const { proba, top } = scoreTopForest(layout, forest.value, columns, k, 0);
    expect(proba).toEqual(predictForest(layout, columns));
    for (const r of [0, 1, 2, 3, 4, n - 3, n - 2, n - 1]) {
      const want = reference(forest, columns, r);
      expect(explainRow(layout, forest.value, columns, r)).toEqual(want.contributions);
      const largest = Array.from(want.contributions, (c, f) => ({ f, c }))
        .filter((x) => x.c !== 0)
        .sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || a.f - b.f)
        .slice(0, k);
      largest.forEach((x, i) => expect(top.contributions[r * k + i]).toBeCloseTo(x.c, 14));
      expect(Array.from(top.features.subarray(r * k, r * k + largest.length))).toEqual(
        largest.map((x) => x.f),
      );
    }
  });
});
