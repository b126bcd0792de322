import type { Explanation } from '../model.ts';
import type { ForestArrays } from './forest-arrays.ts';
import type { PredictLayout } from './predict-forest.ts';
import { blockRows, checkColumns, fillBlock, laneRows, walkBlockExplained } from './predict-forest.ts';

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

/** value[child] − value[parent] of every child node: the step a path contribution adds, computed once. */
function childSteps(p: PredictLayout, value: Float64Array): Float64Array {
  const step = new Float64Array(value.length);
  for (let n = 0; n < value.length; n++) {
    if (p.node[2 * n]! < 0) continue;
    const l = p.node[2 * n + 1]!;
    step[l] = value[l]! - value[n]!;
    step[l + 1] = value[l + 1]! - value[n]!;
  }
  return step;
}

/** All nFeatures contributions of one row. */
export function explainRow(
  p: PredictLayout,
  value: Float64Array,
  columns: Float64Array[],
  row: number,
): Float64Array {
  checkColumns(columns, p.nFeatures);
  const rows = laneRows(1);
  const block = new Float64Array(rows * p.nFeatures);
  fillBlock(columns, row, row + 1, block);
  const acc = new Float64Array(rows * p.nFeatures);
  walkBlockExplained(p, block, 1, new Float64Array(rows), childSteps(p, value), acc);
  const contrib = acc.slice(0, p.nFeatures);
  for (let f = 0; f < contrib.length; f++) contrib[f]! /= p.roots.length;
  return contrib;
}

export interface TopContributions {
  base: number;
  k: number;
  /** Row r's i-th reason is features[r*k + i] (−1 when fewer than k features moved the score). */
  features: Int32Array;
  contributions: Float64Array;
}

/** Top-k |contribution| per row in flat arrays: no per-row objects, for scoring millions of rows. */
export function explainTopForest(
  p: PredictLayout,
  value: Float64Array,
  columns: Float64Array[],
  k: number,
  base: number,
): TopContributions {
  return scoreTopForest(p, value, columns, k, base, false).top;
}

/**
 * Top-k reasons and, with `withProba`, the probabilities (predictForest's, bit for bit) from one
 * walk of every tree: the scoring threads' path, where walking twice cost a third of their time.
 */
export function scoreTopForest(
  p: PredictLayout,
  value: Float64Array,
  columns: Float64Array[],
  k: number,
  base: number,
  withProba = true,
): { proba: Float64Array | null; top: TopContributions } {
  const n = checkColumns(columns, p.nFeatures);
  const nF = p.nFeatures;
  const kk = Math.max(0, Math.min(k, nF));
  const features = new Int32Array(n * kk).fill(-1);
  const contributions = new Float64Array(n * kk);
  const proba = withProba ? new Float64Array(n) : null;
  const rows = laneRows(Math.min(n, blockRows(nF)));
  const block = new Float64Array(rows * nF);
  const acc = new Float64Array(rows * nF);
  const sum = new Float64Array(rows);
  const step = childSteps(p, value);
  const inv = 1 / p.roots.length;
  for (let b0 = 0; b0 < n; b0 += rows) {
    const b1 = Math.min(n, b0 + rows);
    fillBlock(columns, b0, b1, block);
    acc.fill(0);
    walkBlockExplained(p, block, b1 - b0, sum, step, acc);
    proba?.set(sum.subarray(0, b1 - b0), b0);
    for (let r = b0; r < b1; r++) {
      const at = (r - b0) * nF;
      const o = r * kk;
      // Insertion into a k-long sorted list: k is tiny (3), so this beats sorting nF values.
      let filled = 0;
      for (let f = 0; f < nF; f++) {
        const c = acc[at + f]! * inv;
        const a = Math.abs(c);
        if (a === 0 || (filled === kk && a <= Math.abs(contributions[o + kk - 1]!))) continue;
        let q = filled < kk ? filled++ : kk - 1;
        while (q > 0 && Math.abs(contributions[o + q - 1]!) < a) {
          contributions[o + q] = contributions[o + q - 1]!;
          features[o + q] = features[o + q - 1]!;
          q--;
        }
        contributions[o + q] = c;
        features[o + q] = f;
      }
    }
  }
  // predictForest divides the same sums by the tree count.
  if (proba) for (let r = 0; r < n; r++) proba[r]! /= p.roots.length;
  return { proba, top: { base, k: kk, features, contributions } };
}

/** The flat top-k arrays as the Model interface's per-row lists (for callers that want objects). */
export function topToExplanation(t: TopContributions, nRows: number): Explanation {
  const top: Explanation['top'] = [];
  for (let r = 0; r < nRows; r++) {
    const row: { feature: number; contribution: number }[] = [];
    for (let i = 0; i < t.k; i++) {
      const f = t.features[r * t.k + i]!;
      if (f >= 0) row.push({ feature: f, contribution: t.contributions[r * t.k + i]! });
    }
    top.push(row);
  }
  return { base: t.base, top };
}
