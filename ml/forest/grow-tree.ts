import type { Rng } from '../random.ts';
import type { GrownTree } from './node-store.ts';
import { NodeStore } from './node-store.ts';

export type { GrownTree } from './node-store.ts';

/** What a tree reads: the shared binned matrix and labels (see bins.ts for the bin layout). */
export interface TreeData {
  bins: Uint8Array;
  labels: Uint8Array;
  nRows: number;
  nFeatures: number;
  nBins: Int32Array;
}

export interface TreeSettings {
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split (sqrt(nFeatures) by default). */
  mtry: number;
  bootstrap: boolean;
  /** Weight of class 0 and class 1 rows. */
  classWeight: readonly [number, number];
}

/** Below this, a split's gini decrease is float noise, not signal. */
const MIN_GAIN = 1e-12;

/**
 * Per-tree working memory. The hot loops live in small module-level functions taking this
 * object (one shape, one call target), so V8 optimises them once for every tree and thread.
 */
class Work {
  // Rows of a node are a slice of idx, partitioned in place; w/wy move with them so the
  // histogram loop reads weights sequentially and only the bin byte at random.
  idx: Uint32Array;
  w: Float64Array;
  wy: Float64Array;
  readonly hw = new Float64Array(256);
  readonly hp = new Float64Array(256);
  readonly hc = new Int32Array(256);
  readonly order = new Int32Array(256);
  nOrder = 0;
  bestScore = -Infinity;
  bestF = -1;
  bestT = 0;
  bestML = 0;
  /** Left weight, left positive weight, right weight, right positive weight of the last partition. */
  readonly sums = new Float64Array(4);

  constructor(n: number) {
    this.idx = new Uint32Array(n);
    this.w = new Float64Array(n);
    this.wy = new Float64Array(n);
  }
}

/** Bootstrap as per-row draw counts (no duplicated rows; out-of-bag rows are simply absent). */
function bootstrapRows(data: TreeData, settings: TreeSettings, rng: Rng): Work {
  const { nRows, labels } = data;
  const draws = new Uint16Array(nRows);
  if (settings.bootstrap) for (let i = 0; i < nRows; i++) draws[rng.int(nRows)]! += 1;
  else draws.fill(1);
  let nIn = 0;
  for (let i = 0; i < nRows; i++) if (draws[i]! > 0) nIn++;
  const work = new Work(nIn);
  const w0 = settings.classWeight[0];
  const w1 = settings.classWeight[1];
  for (let i = 0, k = 0; i < nRows; i++) {
    const c = draws[i]!;
    if (c === 0) continue;
    const pos = labels[i] === 1;
    const wi = c * (pos ? w1 : w0);
    work.idx[k] = i;
    work.w[k] = wi;
    work.wy[k] = pos ? wi : 0;
    k++;
  }
  return work;
}

/** Fills the histogram of feature column `off` over rows [start, end) and the ordered list of non-empty value bins. */
function histogram(
  bins: Uint8Array,
  off: number,
  nb: number,
  start: number,
  end: number,
  idx: Uint32Array,
  w: Float64Array,
  wy: Float64Array,
  hw: Float64Array,
  hp: Float64Array,
  hc: Int32Array,
  order: Int32Array,
): number {
  let nOrder = 0;
  if ((end - start) * 4 < nb) {
    // Small node: collect only the bins present and insertion-sort that short list.
    for (let i = start; i < end; i++) {
      const b = bins[off + idx[i]!]!;
      if (hc[b] === 0 && b !== 0) {
        let p = nOrder++;
        while (p > 0 && order[p - 1]! > b) {
          order[p] = order[p - 1]!;
          p--;
        }
        order[p] = b;
      }
      hw[b]! += w[i]!;
      hp[b]! += wy[i]!;
      hc[b]! += 1;
    }
  } else {
    for (let i = start; i < end; i++) {
      const b = bins[off + idx[i]!]!;
      hw[b]! += w[i]!;
      hp[b]! += wy[i]!;
      hc[b]! += 1;
    }
    for (let b = 1; b < nb; b++) if (hc[b]! > 0) order[nOrder++] = b;
  }
  return nOrder;
}

function clearHistogram(k: Work): void {
  const { hw, hp, hc, order } = k;
  for (let j = 0; j < k.nOrder; j++) {
    const b = order[j]!;
    hw[b] = 0;
    hp[b] = 0;
    hc[b] = 0;
  }
  hw[0] = 0;
  hp[0] = 0;
  hc[0] = 0;
}

/** Best gini split of feature f from its histogram; missing (bin 0) tried on each side. */
function scanSplits(
  f: number,
  lastBin: number,
  tot: number,
  pos: number,
  cnt: number,
  minLeaf: number,
  k: Work,
): void {
  const { hw, hp, hc, order, nOrder } = k;
  const mc = hc[0]!;
  for (let ml = 0; ml <= (mc > 0 ? 1 : 0); ml++) {
    let lw = ml === 1 ? hw[0]! : 0;
    let lp = ml === 1 ? hp[0]! : 0;
    let lc = ml === 1 ? mc : 0;
    for (let j = 0; j < nOrder; j++) {
      const b = order[j]!;
      lw += hw[b]!;
      lp += hp[b]!;
      lc += hc[b]!;
      if (lc < minLeaf) continue;
      if (cnt - lc < minLeaf) break;
      const rw = tot - lw;
      if (lw <= 0 || rw <= 0) continue;
      const rp = pos - lp;
      const ln = lw - lp;
      const rn = rw - rp;
      const score = (lp * lp + ln * ln) / lw + (rp * rp + rn * rn) / rw;
      if (score > k.bestScore) {
        k.bestScore = score;
        k.bestF = f;
        // All value bins on the left (only possible with missing on the right): threshold +∞.
        k.bestT = j === nOrder - 1 ? lastBin : b;
        k.bestML = ml;
      }
    }
  }
}

/** Moves the rows going left to the front of [start, end); returns the split point, sums in k. */
function partition(
  bins: Uint8Array,
  off: number,
  t: number,
  ml: number,
  start: number,
  end: number,
  idx: Uint32Array,
  w: Float64Array,
  wy: Float64Array,
  sums: Float64Array,
): number {
  let i = start;
  let j = end - 1;
  // Children's sums are re-added from the rows so a pure child has value exactly 0 or 1.
  let lTot = 0;
  let lPos = 0;
  let rTot = 0;
  let rPos = 0;
  while (i <= j) {
    const b = bins[off + idx[i]!]!;
    if (b === 0 ? ml === 1 : b <= t) {
      lTot += w[i]!;
      lPos += wy[i]!;
      i++;
    } else {
      rTot += w[i]!;
      rPos += wy[i]!;
      const ti = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = ti;
      const tw = w[i]!;
      w[i] = w[j]!;
      w[j] = tw;
      const ty = wy[i]!;
      wy[i] = wy[j]!;
      wy[j] = ty;
      j--;
    }
  }
  sums[0] = lTot;
  sums[1] = lPos;
  sums[2] = rTot;
  sums[3] = rPos;
  return i;
}

/** Pending nodes: (node, start, end, depth) and (weight, positive weight). */
class NodeStack {
  ints = new Int32Array(4 * 64);
  sums = new Float64Array(2 * 64);
  size = 0;

  push(node: number, start: number, end: number, depth: number, tot: number, pos: number): void {
    if (4 * (this.size + 1) > this.ints.length) {
      const ints = new Int32Array(this.ints.length * 2);
      ints.set(this.ints);
      this.ints = ints;
      const sums = new Float64Array(this.sums.length * 2);
      sums.set(this.sums);
      this.sums = sums;
    }
    const at = this.size++;
    this.ints[4 * at] = node;
    this.ints[4 * at + 1] = start;
    this.ints[4 * at + 2] = end;
    this.ints[4 * at + 3] = depth;
    this.sums[2 * at] = tot;
    this.sums[2 * at + 1] = pos;
  }
}

/** Depth-first growth with an explicit stack of (node, start, end, depth, weight, positive weight). */
export function growTree(data: TreeData, settings: TreeSettings, rng: Rng): GrownTree {
  const { bins, nRows, nFeatures, nBins } = data;
  const { maxDepth, minSamplesLeaf } = settings;
  const mtry = Math.max(1, Math.min(nFeatures, settings.mtry));
  const k = bootstrapRows(data, settings, rng);
  const nodes = new NodeStore(1024);
  const perm = Int32Array.from({ length: nFeatures }, (_, f) => f);
  let rootTot = 0;
  let rootPos = 0;
  for (let i = 0; i < k.w.length; i++) {
    rootTot += k.w[i]!;
    rootPos += k.wy[i]!;
  }
  nodes.add(1);
  const stack = new NodeStack();
  stack.push(0, 0, k.idx.length, 0, rootTot, rootPos);
  while (stack.size > 0) {
    const sp = --stack.size;
    const node = stack.ints[4 * sp]!;
    const start = stack.ints[4 * sp + 1]!;
    const end = stack.ints[4 * sp + 2]!;
    const depth = stack.ints[4 * sp + 3]!;
    const tot = stack.sums[2 * sp]!;
    const pos = stack.sums[2 * sp + 1]!;
    const cnt = end - start;
    nodes.value[node] = tot > 0 ? pos / tot : 0;
    if (depth >= maxDepth || cnt < 2 * minSamplesLeaf || pos <= 0 || pos >= tot) continue;

    const parentScore = (pos * pos + (tot - pos) * (tot - pos)) / tot;
    k.bestScore = -Infinity;
    k.bestF = -1;
    let visited = 0;
    // Draw features without replacement; constant ones don't count (as scikit-learn does).
    for (let j = 0; j < nFeatures && visited < mtry; j++) {
      const r = j + rng.int(nFeatures - j);
      const f = perm[r]!;
      perm[r] = perm[j]!;
      perm[j] = f;
      k.nOrder = histogram(
        bins,
        f * nRows,
        nBins[f]!,
        start,
        end,
        k.idx,
        k.w,
        k.wy,
        k.hw,
        k.hp,
        k.hc,
        k.order,
      );
      if (k.nOrder + (k.hc[0]! > 0 ? 1 : 0) > 1) {
        visited++;
        scanSplits(f, nBins[f]! - 1, tot, pos, cnt, minSamplesLeaf, k);
      }
      clearHistogram(k);
    }
    if (k.bestF < 0 || k.bestScore - parentScore <= MIN_GAIN * tot) continue;

    const f = k.bestF;
    const mid = partition(bins, f * nRows, k.bestT, k.bestML, start, end, k.idx, k.w, k.wy, k.sums);
    const l = nodes.add(2);
    nodes.setSplit(node, f, k.bestT, k.bestML, l, k.bestScore - parentScore);
    stack.push(l + 1, mid, end, depth + 1, k.sums[2]!, k.sums[3]!);
    stack.push(l, start, mid, depth + 1, k.sums[0]!, k.sums[1]!);
  }
  return nodes.finish();
}
