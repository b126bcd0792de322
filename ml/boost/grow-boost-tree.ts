import type { GrownTree } from '../forest/node-store.ts';
import { NodeStore } from '../forest/node-store.ts';
import type { BoostWork } from './boost-work.ts';
import { FEATURE_STRIDE, STRIDE } from './boost-work.ts';

export type { BoostTreeData } from './boost-work.ts';

/**
 * One boosting round's tree on gradient/hessian histograms, grown best-first (leaf-wise, as
 * scikit-learn's HistGradientBoosting and LightGBM). Bins follow ml/forest/bins.ts: bin 0 is
 * missing, value bins 1..nBins-1, "bin ≤ t" is "value ≤ cuts[t-1]"; the tree comes out as the
 * forest's GrownTree, so the forest's arrays, scorer, threads and explanations serve it as is.
 */
export interface BoostTreeSettings {
  maxLeafNodes: number;
  /** 0 = no depth cap. */
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** scikit-learn's min_hessian_to_split: a child with less curvature than this gives a wild leaf value. */
const MIN_HESSIAN = 1e-3;
/** Gains below this are float noise of the histogram subtraction, not signal. */
const MIN_GAIN = 1e-12;

/** A leaf of the growing tree: its rows are idx[start, end). */
interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  /** Histogram slot in the work (−1 = none). */
  hist: number;
  gain: number;
  feature: number;
  bin: number;
  missingLeft: number;
  /** Left child's gradient and hessian sums of the best split. */
  lg: number;
  lh: number;
}

/** parent − child: the sibling's histogram without reading its rows (written into parent). */
function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let k = 0; k < parent.length; k++) parent[k]! -= child[k]!;
}

/** Best split of a leaf over every feature; missing (bin 0) is tried on each side. */
function findSplit(leaf: Leaf, hist: Float64Array, nBins: Int32Array, s: BoostTreeSettings): void {
  const { l2, minSamplesLeaf } = s;
  const G = leaf.g;
  const H = leaf.h;
  const C = leaf.end - leaf.start;
  const parentScore = (G * G) / (H + l2);
  leaf.gain = 0;
  leaf.feature = -1;
  for (let f = 0; f < nBins.length; f++) {
    const fo = f * FEATURE_STRIDE;
    const nb = nBins[f]!;
    const mg = hist[fo]!;
    const mh = hist[fo + 1]!;
    const mc = hist[fo + 2]!;
    for (let ml = 0; ml <= (mc > 0 ? 1 : 0); ml++) {
      let lg = ml === 1 ? mg : 0;
      let lh = ml === 1 ? mh : 0;
      let lc = ml === 1 ? mc : 0;
      for (let b = 1; b < nb; b++) {
        const k = fo + b * STRIDE;
        const c = hist[k + 2]!;
        if (c === 0) continue;
        lg += hist[k]!;
        lh += hist[k + 1]!;
        lc += c;
        if (lc < minSamplesLeaf) continue;
        const rc = C - lc;
        if (rc < minSamplesLeaf) break;
        const rh = H - lh;
        if (lh < MIN_HESSIAN || rh < MIN_HESSIAN) continue;
        const rg = G - lg;
        const gain = (lg * lg) / (lh + l2) + (rg * rg) / (rh + l2) - parentScore;
        if (gain > leaf.gain + MIN_GAIN) {
          leaf.gain = gain;
          leaf.feature = f;
          // All value bins left (missing alone on the right): bin nb-1, threshold +∞.
          leaf.bin = b;
          // No missing values here in training: unseen ones follow the larger child (as scikit-learn).
          leaf.missingLeft = mc > 0 ? ml : lc >= rc ? 1 : 0;
          leaf.lg = lg;
          leaf.lh = lh;
        }
      }
    }
  }
}

/** Stable partition of idx[start, end) by the leaf's split; returns where the right rows begin. */
function partition(
  rowBins: Uint8Array,
  nF: number,
  leaf: Leaf,
  idx: Uint32Array,
  scratch: Uint32Array,
): number {
  const f = leaf.feature;
  const t = leaf.bin;
  const ml = leaf.missingLeft;
  let l = leaf.start;
  let r = 0;
  for (let i = leaf.start; i < leaf.end; i++) {
    const row = idx[i]!;
    const b = rowBins[row * nF + f]!;
    if (b === 0 ? ml === 1 : b <= t) idx[l++] = row;
    else scratch[r++] = row;
  }
  idx.set(scratch.subarray(0, r), l);
  return l;
}

const leafValue = (g: number, h: number, s: BoostTreeSettings): number =>
  h + s.l2 > 0 ? (-g / (h + s.l2)) * s.learningRate : 0;

function newLeaf(node: number, start: number, end: number, depth: number, g: number, h: number): Leaf {
  return {
    node,
    start,
    end,
    depth,
    g,
    h,
    hist: -1,
    gain: 0,
    feature: -1,
    bin: 0,
    missingLeft: 0,
    lg: 0,
    lh: 0,
  };
}

export interface BoostTree {
  tree: GrownTree;
  /** Final leaves: the rows idx[start, end) of the work's idx get `value` added to their score. */
  leaves: { start: number; end: number; value: number }[];
}

/**
 * Grows one tree for the work's gradients and hessians (class weights already in them). Node
 * values are the shrunk Newton step −G/(H+λ)·lr of every node, internal ones too (path
 * contributions need them); gain is the split's loss decrease (feature importance).
 */
export function growBoostTree(work: BoostWork, s: BoostTreeSettings): BoostTree {
  const { rowBins, nRows, nFeatures: nF, nBins } = work.data;
  const { idx, scratch, grad, hess } = work;
  for (let i = 0; i < nRows; i++) idx[i] = i;
  let g0 = 0;
  let h0 = 0;
  for (let i = 0; i < nRows; i++) {
    g0 += grad[i]!;
    h0 += hess[i]!;
  }
  const nodes = new NodeStore(2 * s.maxLeafNodes);
  nodes.add(1);
  nodes.value[0] = leafValue(g0, h0, s);
  const canSplit = (l: Leaf): boolean =>
    l.end - l.start >= 2 * s.minSamplesLeaf &&
    (s.maxDepth === 0 || l.depth < s.maxDepth) &&
    l.h >= 2 * MIN_HESSIAN;
  const build = (l: Leaf): void => {
    l.hist = work.take();
    work.build(l.hist, l.start, l.end);
  };
  const release = (l: Leaf): void => {
    work.give(l.hist);
    l.hist = -1;
  };
  const root = newLeaf(0, 0, nRows, 0, g0, h0);
  const done: Leaf[] = [];
  const open: Leaf[] = [];
  if (canSplit(root)) {
    build(root);
    findSplit(root, work.hist(root.hist), nBins, s);
  }
  (root.feature >= 0 ? open : done).push(root);
  let nLeaves = 1;
  while (open.length > 0 && nLeaves < s.maxLeafNodes) {
    // Best-first; ties keep the earlier leaf, so the tree never depends on anything but the data.
    let at = 0;
    for (let i = 1; i < open.length; i++) if (open[i]!.gain > open[at]!.gain) at = i;
    const p = open[at]!;
    open.splice(at, 1);
    const mid = partition(rowBins, nF, p, idx, scratch);
    const l = nodes.add(2);
    nodes.setSplit(p.node, p.feature, p.bin, p.missingLeft, l, p.gain);
    const left = newLeaf(l, p.start, mid, p.depth + 1, p.lg, p.lh);
    const right = newLeaf(l + 1, mid, p.end, p.depth + 1, p.g - p.lg, p.h - p.lh);
    nodes.value[l] = leafValue(left.g, left.h, s);
    nodes.value[l + 1] = leafValue(right.g, right.h, s);
    nLeaves++;
    const more = nLeaves < s.maxLeafNodes;
    const small = mid - p.start <= p.end - mid ? left : right;
    const large = small === left ? right : left;
    if (more && canSplit(large)) {
      // Histogram subtraction: read only the smaller child's rows, the larger one is parent − small.
      build(small);
      subtractHistogram(work.hist(p.hist), work.hist(small.hist));
      large.hist = p.hist;
      p.hist = -1;
    } else {
      release(p);
      if (more && canSplit(small)) build(small);
    }
    for (const c of [left, right]) {
      if (c.hist >= 0) findSplit(c, work.hist(c.hist), nBins, s);
      if (c.feature >= 0) open.push(c);
      else {
        release(c);
        done.push(c);
      }
    }
  }
  for (const l of open) release(l);
  const leaves = [...done, ...open]
    .sort((a, b) => a.start - b.start)
    .map((l) => ({ start: l.start, end: l.end, value: nodes.value[l.node]! }));
  return { tree: nodes.finish(), leaves };
}
