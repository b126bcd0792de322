import type { ForestArrays } from './forest-arrays.ts';
import { checkColumns } from './predict-forest.ts';

/**
 * Tree path contributions (Saabas): walking a row down a tree, each split moves the value from
 * node to child; that change is credited to the split's feature. Averaged over trees,
 * base + Σ contributions = predicted probability exactly (up to float rounding).
 */
export function forestBase(forest: ForestArrays): number {
  let s = 0;
  for (let t = 0; t < forest.roots.length; t++) s += forest.value[forest.roots[t]!]!;
  return s / forest.roots.length;
}

/** All nFeatures contributions of one row. */
export function explainRow(forest: ForestArrays, columns: Float64Array[], row: number): Float64Array {
  checkColumns(columns, forest.nFeatures);
  const contrib = new Float64Array(forest.nFeatures);
  accumulate(forest, columns, row, contrib, 0);
  const nTrees = forest.roots.length;
  for (let f = 0; f < contrib.length; f++) contrib[f]! /= nTrees;
  return contrib;
}

function accumulate(forest: ForestArrays, columns: Float64Array[], r: number, acc: Float64Array, at: number): void {
  const { roots, feature, threshold, missingLeft, left, value } = forest;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      const x = columns[f]![r]!;
      const child = x <= threshold[node]! || (x !== x && missingLeft[node] === 1) ? left[node]! : left[node]! + 1;
      acc[at + f]! += value[child]! - value[node]!;
      node = child;
      f = feature[node]!;
    }
  }
}

export interface TopContributions {
  base: number;
  k: number;
  /** Row r's i-th reason is features[r*k + i] (−1 when fewer than k features moved the score). */
  features: Int32Array;
  contributions: Float64Array;
}

const BLOCK = 1024;

/** Top-k |contribution| per row in flat arrays: no per-row objects, for scoring millions of rows. */
export function explainTopForest(forest: ForestArrays, columns: Float64Array[], k: number): TopContributions {
  const n = checkColumns(columns, forest.nFeatures);
  const nF = forest.nFeatures;
  const kk = Math.max(0, Math.min(k, nF));
  const features = new Int32Array(n * kk).fill(-1);
  const contributions = new Float64Array(n * kk);
  const acc = new Float64Array(BLOCK * nF);
  const inv = 1 / forest.roots.length;
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const b1 = Math.min(n, b0 + BLOCK);
    acc.fill(0);
    for (let r = b0; r < b1; r++) accumulate(forest, columns, r, acc, (r - b0) * nF);
    for (let r = b0; r < b1; r++) {
      const at = (r - b0) * nF;
      const o = r * kk;
      // Insertion into a k-long sorted list: k is tiny (3), so this beats sorting nF values.
      let filled = 0;
      for (let f = 0; f < nF; f++) {
        const c = acc[at + f]! * inv;
        const a = Math.abs(c);
        if (a === 0 || (filled === kk && a <= Math.abs(contributions[o + kk - 1]!))) continue;
        let p = filled < kk ? filled++ : kk - 1;
        while (p > 0 && Math.abs(contributions[o + p - 1]!) < a) {
          contributions[o + p] = contributions[o + p - 1]!;
          features[o + p] = features[o + p - 1]!;
          p--;
        }
        contributions[o + p] = c;
        features[o + p] = f;
      }
    }
  }
  return { base: forestBase(forest), k: kk, features, contributions };
}
