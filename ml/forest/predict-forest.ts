import type { ForestArrays } from './forest-arrays.ts';

/**
 * A layout for scoring, built once per model: per node [feature, left] interleaved in one
 * Int32Array and, in `split`, the threshold of an internal node or the value of a leaf, so a
 * step touches two arrays instead of five (scoring millions of rows is memory-bound).
 */
export interface PredictLayout {
  nFeatures: number;
  roots: Int32Array;
  node: Int32Array;
  split: Float64Array;
  missingLeft: Uint8Array;
}

export function predictLayout(f: ForestArrays): PredictLayout {
  const n = f.feature.length;
  const node = new Int32Array(2 * n);
  const split = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const feat = f.feature[i]!;
    node[2 * i] = feat;
    node[2 * i + 1] = f.left[i]!;
    split[i] = feat < 0 ? f.value[i]! : f.threshold[i]!;
  }
  return { nFeatures: f.nFeatures, roots: f.roots, node, split, missingLeft: f.missingLeft };
}

/**
 * Rows per block: the block is copied row-major so one row's features share cache lines, and
 * is large because every block streams all trees through the cache again (measured at 200k
 * rows: 512-row blocks 8.8 s CPU, 64k-row blocks 3.6 s). About 16 MB of values per block; a
 * multiple of LANES, so a block's rows go down the trees in whole groups.
 */
export function blockRows(nFeatures: number): number {
  return laneRows(Math.max(1024, Math.floor((1 << 21) / Math.max(1, nFeatures))));
}

/** Rows that go down a tree together (walkBlock). */
const LANES = 4;

/** `n` rounded up to whole groups of LANES rows: the rows a block (and its accumulators) must hold. */
export function laneRows(n: number): number {
  return Math.ceil(n / LANES) * LANES;
}

export function checkColumns(columns: Float64Array[], nFeatures: number): number {
  if (columns.length !== nFeatures)
    throw new RangeError(`model expects ${nFeatures} columns, got ${columns.length}`);
  const n = columns[0]?.length ?? 0;
  for (const c of columns) if (c.length !== n) throw new RangeError('columns differ in length');
  return n;
}

/** Copies rows [b0, b1) of the columns into `block`, row-major. */
export function fillBlock(columns: Float64Array[], b0: number, b1: number, block: Float64Array): void {
  const nF = columns.length;
  for (let f = 0; f < nF; f++) {
    const col = columns[f]!;
    for (let r = b0, o = f; r < b1; r++, o += nF) block[o] = col[r]!;
  }
}

/** The child of internal node n for a row whose value of n's feature is x (NaN: n's recorded side). */
function child(node: Int32Array, split: Float64Array, missingLeft: Uint8Array, n: number, x: number): number {
  const l = node[2 * n + 1]!;
  return x !== x ? (missingLeft[n] === 1 ? l : l + 1) : l + +(x > split[n]!);
}

/**
 * Walks rows [0, nBlock) of a row-major block down every tree: sum[r] gets the sum of the row's
 * leaf values over the trees, in tree order.
 *
 * Four rows go down a tree together, and the child is picked by arithmetic (left + (x > threshold)):
 * one row's walk is a chain of dependent loads and branches the CPU mispredicts half the time;
 * four independent chains without those branches keep it busy (predictForest, 200k rows × 100
 * trees of depth 16, one thread: 1.56 s → 0.94 s). The block and sum must hold laneRows(nBlock) rows: the last
 * group's extra rows are walked and their sums ignored. walkBlockExplained is the same walk that
 * also credits each split's step to its feature; the two are kept apart because each thread runs
 * one of them, and V8 compiles a function for the paths it has seen.
 */
function walkBlock(p: PredictLayout, block: Float64Array, nBlock: number, sum: Float64Array): void {
  const { roots, node, split, missingLeft, nFeatures: nF } = p;
  sum.fill(0, 0, laneRows(nBlock));
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    for (let r = 0; r < nBlock; r += LANES) {
      const o = r * nF;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let f0 = node[2 * root]!;
      let f1 = f0;
      let f2 = f0;
      let f3 = f0;
      // Until all four are at a leaf (a leaf's feature is negative: the AND's sign bit is set only then).
      while ((f0 & f1 & f2 & f3) >= 0) {
        if (f0 >= 0) f0 = node[2 * (n0 = child(node, split, missingLeft, n0, block[o + f0]!))]!;
        if (f1 >= 0) f1 = node[2 * (n1 = child(node, split, missingLeft, n1, block[o + nF + f1]!))]!;
        if (f2 >= 0) f2 = node[2 * (n2 = child(node, split, missingLeft, n2, block[o + 2 * nF + f2]!))]!;
        if (f3 >= 0) f3 = node[2 * (n3 = child(node, split, missingLeft, n3, block[o + 3 * nF + f3]!))]!;
      }
      sum[r]! += split[n0]!;
      sum[r + 1]! += split[n1]!;
      sum[r + 2]! += split[n2]!;
      sum[r + 3]! += split[n3]!;
    }
  }
}

/**
 * walkBlock that also adds each split's step (step[child]) into acc at the row's slot for the
 * split's feature: the rows' path contributions (explain-forest.ts), acc row-major like the block.
 */
export function walkBlockExplained(
  p: PredictLayout,
  block: Float64Array,
  nBlock: number,
  sum: Float64Array,
  step: Float64Array,
  acc: Float64Array,
): void {
  const { roots, node, split, missingLeft, nFeatures: nF } = p;
  sum.fill(0, 0, laneRows(nBlock));
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    for (let r = 0; r < nBlock; r += LANES) {
      const o0 = r * nF;
      const o1 = o0 + nF;
      const o2 = o1 + nF;
      const o3 = o2 + nF;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let f0 = node[2 * root]!;
      let f1 = f0;
      let f2 = f0;
      let f3 = f0;
      while ((f0 & f1 & f2 & f3) >= 0) {
        if (f0 >= 0) {
          acc[o0 + f0]! += step[(n0 = child(node, split, missingLeft, n0, block[o0 + f0]!))]!;
          f0 = node[2 * n0]!;
        }
        if (f1 >= 0) {
          acc[o1 + f1]! += step[(n1 = child(node, split, missingLeft, n1, block[o1 + f1]!))]!;
          f1 = node[2 * n1]!;
        }
        if (f2 >= 0) {
          acc[o2 + f2]! += step[(n2 = child(node, split, missingLeft, n2, block[o2 + f2]!))]!;
          f2 = node[2 * n2]!;
        }
        if (f3 >= 0) {
          acc[o3 + f3]! += step[(n3 = child(node, split, missingLeft, n3, block[o3 + f3]!))]!;
          f3 = node[2 * n3]!;
        }
      }
      sum[r]! += split[n0]!;
      sum[r + 1]! += split[n1]!;
      sum[r + 2]! += split[n2]!;
      sum[r + 3]! += split[n3]!;
    }
  }
}

/** Mean leaf value over trees for every row (scikit-learn's predict_proba[:, 1]). */
export function predictForest(p: PredictLayout, columns: Float64Array[]): Float64Array {
  const n = checkColumns(columns, p.nFeatures);
  const out = new Float64Array(n);
  const rows = laneRows(Math.min(n, blockRows(p.nFeatures)));
  const block = new Float64Array(rows * p.nFeatures);
  const sum = new Float64Array(rows);
  for (let b0 = 0; b0 < n; b0 += rows) {
    const b1 = Math.min(n, b0 + rows);
    fillBlock(columns, b0, b1, block);
    walkBlock(p, block, b1 - b0, sum);
    out.set(sum.subarray(0, b1 - b0), b0);
  }
  const inv = p.roots.length;
  for (let r = 0; r < n; r++) out[r]! /= inv;
  return out;
}
