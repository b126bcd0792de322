import type { GrownTree } from './grow-tree.ts';

/**
 * All trees of a forest concatenated into flat typed arrays, thresholds on raw values, so a
 * loaded model predicts with no binning state. Node n: leaf iff feature[n] < 0; otherwise go
 * left (to left[n]) iff x ≤ threshold[n], or x is NaN and missingLeft[n]; right is left[n] + 1.
 */
export interface ForestArrays {
  nFeatures: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  value: Float64Array;
}

export function forestFromTrees(trees: GrownTree[], cuts: Float64Array[]): ForestArrays {
  const total = trees.reduce((s, t) => s + t.feature.length, 0);
  const roots = new Int32Array(trees.length);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const missingLeft = new Uint8Array(total);
  const left = new Int32Array(total);
  const value = new Float64Array(total);
  let base = 0;
  trees.forEach((t, ti) => {
    roots[ti] = base;
    for (let n = 0; n < t.feature.length; n++) {
      const f = t.feature[n]!;
      const o = base + n;
      feature[o] = f;
      value[o] = t.value[n]!;
      if (f < 0) {
        left[o] = -1;
        continue;
      }
      const c = cuts[f]!;
      const bin = t.splitBin[n]!;
      // bin ≤ t  ⇔  v ≤ cuts[t-1]; past the last cut it means "every value" (+∞).
      threshold[o] = bin - 1 < c.length ? c[bin - 1]! : Infinity;
      missingLeft[o] = t.missingLeft[n]!;
      left[o] = base + t.left[n]!;
    }
    base += t.feature.length;
  });
  return { nFeatures: cuts.length, roots, feature, threshold, missingLeft, left, value };
}

/** Impurity-based importance: per tree normalised, averaged, normalised again (as scikit-learn). */
export function importanceFromTrees(trees: GrownTree[], nFeatures: number): Float64Array {
  const total = new Float64Array(nFeatures);
  const perTree = new Float64Array(nFeatures);
  for (const t of trees) {
    perTree.fill(0);
    let sum = 0;
    for (let n = 0; n < t.feature.length; n++) {
      const f = t.feature[n]!;
      if (f < 0) continue;
      perTree[f]! += t.gain[n]!;
      sum += t.gain[n]!;
    }
    if (sum > 0) for (let f = 0; f < nFeatures; f++) total[f]! += perTree[f]! / sum;
  }
  const sum = total.reduce((s, v) => s + v, 0);
  if (sum > 0) for (let f = 0; f < nFeatures; f++) total[f]! /= sum;
  return total;
}

const toB64 = (a: ArrayBufferView): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromB64<T>(s: string, make: (buf: ArrayBuffer) => T): T {
  const b = Buffer.from(s, 'base64');
  // Copy into a fresh, aligned buffer: Node's pooled Buffers may sit at odd offsets.
  const ab = new ArrayBuffer(b.byteLength);
  new Uint8Array(ab).set(b);
  return make(ab);
}

export interface EncodedForest {
  nFeatures: number;
  roots: string;
  feature: string;
  threshold: string;
  missingLeft: string;
  left: string;
  value: string;
}

/** Little-endian base64 of each array: compact, exact and byte-stable for equal forests. */
export function encodeForest(a: ForestArrays): EncodedForest {
  return {
    nFeatures: a.nFeatures,
    roots: toB64(a.roots),
    feature: toB64(a.feature),
    threshold: toB64(a.threshold),
    missingLeft: toB64(a.missingLeft),
    left: toB64(a.left),
    value: toB64(a.value),
  };
}

export function decodeForest(e: EncodedForest): ForestArrays {
  const a: ForestArrays = {
    nFeatures: e.nFeatures,
    roots: fromB64(e.roots, (b) => new Int32Array(b)),
    feature: fromB64(e.feature, (b) => new Int32Array(b)),
    threshold: fromB64(e.threshold, (b) => new Float64Array(b)),
    missingLeft: fromB64(e.missingLeft, (b) => new Uint8Array(b)),
    left: fromB64(e.left, (b) => new Int32Array(b)),
    value: fromB64(e.value, (b) => new Float64Array(b)),
  };
  return checkForest(a);
}

/** The forest's arrays as a flat list (the binary model format), in a fixed order. */
export function forestToList(
  a: ForestArrays,
): [Int32Array, Int32Array, Float64Array, Uint8Array, Int32Array, Float64Array] {
  return [a.roots, a.feature, a.threshold, a.missingLeft, a.left, a.value];
}

export function forestFromList(nFeatures: number, list: unknown[]): ForestArrays {
  const [roots, feature, threshold, missingLeft, left, value] = list;
  if (
    !(roots instanceof Int32Array) ||
    !(feature instanceof Int32Array) ||
    !(threshold instanceof Float64Array) ||
    !(missingLeft instanceof Uint8Array) ||
    !(left instanceof Int32Array) ||
    !(value instanceof Float64Array)
  ) {
    throw new Error('serialized forest is corrupt: node arrays of the wrong kinds');
  }
  return checkForest({ nFeatures, roots, feature, threshold, missingLeft, left, value });
}

/** Refuses a forest whose arrays disagree or whose links point outside it: a corrupt model never scores. */
function checkForest(a: ForestArrays): ForestArrays {
  const n = a.feature.length;
  if ([a.threshold, a.missingLeft, a.left, a.value].some((x) => x.length !== n)) {
    throw new Error('serialized forest is corrupt: node arrays differ in length');
  }
  for (let i = 0; i < n; i++) {
    const l = a.left[i]!;
    if (a.feature[i]! >= a.nFeatures || (a.feature[i]! >= 0 && (l <= i || l + 1 >= n))) {
      throw new Error(`serialized forest is corrupt at node ${i}`);
    }
  }
  return a;
}
