import type { ForestArrays } from './forest-arrays.ts';

/** Rows per block: a block's slice of every column stays in cache while all trees walk it. */
const BLOCK = 2048;

export function checkColumns(columns: Float64Array[], nFeatures: number): number {
  if (columns.length !== nFeatures) throw new RangeError(`model expects ${nFeatures} columns, got ${columns.length}`);
  const n = columns[0]?.length ?? 0;
  for (const c of columns) if (c.length !== n) throw new RangeError('columns differ in length');
  return n;
}

/** Mean leaf value over trees for every row (scikit-learn's predict_proba[:, 1]). */
export function predictForest(forest: ForestArrays, columns: Float64Array[]): Float64Array {
  const n = checkColumns(columns, forest.nFeatures);
  const { roots, feature, threshold, missingLeft, left, value } = forest;
  const out = new Float64Array(n);
  const nTrees = roots.length;
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const b1 = Math.min(n, b0 + BLOCK);
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t]!;
      for (let r = b0; r < b1; r++) {
        let node = root;
        let f = feature[node]!;
        while (f >= 0) {
          const x = columns[f]![r]!;
          node = x <= threshold[node]! || (x !== x && missingLeft[node] === 1) ? left[node]! : left[node]! + 1;
          f = feature[node]!;
        }
        out[r]! += value[node]!;
      }
    }
  }
  for (let r = 0; r < n; r++) out[r]! /= nTrees;
  return out;
}
