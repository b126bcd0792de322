import type { Rng } from '../random.ts';

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

/**
 * A grown tree in flat arrays. Children are allocated in pairs, so right = left + 1 and only
 * `left` is stored; a leaf has feature −1. `splitBin` t sends value bins 1..t left; missing
 * (bin 0) goes left iff missingLeft. `value` is the weighted positive fraction of every node
 * (internal nodes too: path contributions need them), `gain` the weighted gini decrease.
 */
export interface GrownTree {
  feature: Int32Array;
  splitBin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  value: Float64Array;
  gain: Float64Array;
}

/** Below this, a split's gini decrease is float noise, not signal. */
const MIN_GAIN = 1e-12;

export function growTree(data: TreeData, settings: TreeSettings, rng: Rng): GrownTree {
  const { bins, labels, nRows, nFeatures, nBins } = data;
  const { maxDepth, minSamplesLeaf, classWeight } = settings;
  const mtry = Math.max(1, Math.min(nFeatures, settings.mtry));
  const w0 = classWeight[0];
  const w1 = classWeight[1];

  // Bootstrap as per-row draw counts: no duplicated rows, out-of-bag rows simply absent.
  const draws = new Uint16Array(nRows);
  if (settings.bootstrap) for (let i = 0; i < nRows; i++) draws[rng.int(nRows)]! += 1;
  else draws.fill(1);
  let nIn = 0;
  for (let i = 0; i < nRows; i++) if (draws[i]! > 0) nIn++;
  // Row indices of each node live in a slice of idx, partitioned in place; w/wy move with them
  // so the histogram loop reads weights sequentially and only the bin byte at random.
  const idx = new Uint32Array(nIn);
  const w = new Float64Array(nIn);
  const wy = new Float64Array(nIn);
  let rootTot = 0;
  let rootPos = 0;
  for (let i = 0, k = 0; i < nRows; i++) {
    const c = draws[i]!;
    if (c === 0) continue;
    const y = labels[i]!;
    const wi = c * (y === 1 ? w1 : w0);
    idx[k] = i;
    w[k] = wi;
    wy[k] = y === 1 ? wi : 0;
    rootTot += wi;
    rootPos += y === 1 ? wi : 0;
    k++;
  }

  const feature: number[] = [-1];
  const splitBin: number[] = [0];
  const missingLeft: number[] = [0];
  const left: number[] = [-1];
  const value: number[] = [0];
  const gain: number[] = [0];

  const hw = new Float64Array(256);
  const hp = new Float64Array(256);
  const hc = new Int32Array(256);
  const touched = new Int32Array(256);
  const perm = Int32Array.from({ length: nFeatures }, (_, f) => f);

  // Best split of the current node (written by scanFeature).
  let bestScore: number;
  let bestF: number;
  let bestT = 0;
  let bestML = 0;

  /** Scans ordered value bins (listed in `order`, `nOrder` long) given missing stats in bin 0. */
  const scanFeature = (f: number, order: Int32Array, nOrder: number, tot: number, pos: number, cnt: number): void => {
    const mw = hw[0]!;
    const mp = hp[0]!;
    const mc = hc[0]!;
    const lastBin = nBins[f]! - 1;
    for (let ml = 0; ml <= (mc > 0 ? 1 : 0); ml++) {
      let lw = ml === 1 ? mw : 0;
      let lp = ml === 1 ? mp : 0;
      let lc = ml === 1 ? mc : 0;
      for (let j = 0; j < nOrder; j++) {
        const b = order[j]!;
        lw += hw[b]!;
        lp += hp[b]!;
        lc += hc[b]!;
        const rc = cnt - lc;
        if (lc < minSamplesLeaf) continue;
        if (rc < minSamplesLeaf) break;
        const rw = tot - lw;
        const rp = pos - lp;
        if (lw <= 0 || rw <= 0) continue;
        const ln = lw - lp;
        const rn = rw - rp;
        const score = (lp * lp + ln * ln) / lw + (rp * rp + rn * rn) / rw;
        if (score > bestScore) {
          bestScore = score;
          bestF = f;
          // All value bins on the left (only possible with missing on the right): threshold +∞.
          bestT = j === nOrder - 1 ? lastBin : b;
          bestML = ml;
        }
      }
    }
  };

  const stack: number[] = [0, 0, nIn, 0, rootTot, rootPos];
  while (stack.length > 0) {
    const nodePos = stack.pop()!;
    const nodeTot = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const node = stack.pop()!;
    const cnt = end - start;
    value[node] = nodeTot > 0 ? nodePos / nodeTot : 0;
    if (depth >= maxDepth || cnt < 2 * minSamplesLeaf || nodePos <= 0 || nodePos >= nodeTot) continue;

    const parentScore = (nodePos * nodePos + (nodeTot - nodePos) * (nodeTot - nodePos)) / nodeTot;
    bestScore = -Infinity;
    bestF = -1;
    let visited = 0;
    // Draw features without replacement; constant ones don't count (as scikit-learn does).
    for (let j = 0; j < nFeatures && visited < mtry; j++) {
      const k = j + rng.int(nFeatures - j);
      const f = perm[k]!;
      perm[k] = perm[j]!;
      perm[j] = f;
      const nb = nBins[f]!;
      const off = f * nRows;
      let nOrder = 0;
      if (cnt * 4 < nb) {
        // Small node: touch only the bins present, sort that short list, clear only it.
        for (let i = start; i < end; i++) {
          const b = bins[off + idx[i]!]!;
          if (hc[b] === 0 && b !== 0) touched[nOrder++] = b;
          hw[b]! += w[i]!;
          hp[b]! += wy[i]!;
          hc[b]! += 1;
        }
        for (let a = 1; a < nOrder; a++) {
          const v = touched[a]!;
          let c = a - 1;
          while (c >= 0 && touched[c]! > v) {
            touched[c + 1] = touched[c]!;
            c--;
          }
          touched[c + 1] = v;
        }
        const nonEmpty = nOrder + (hc[0]! > 0 ? 1 : 0);
        if (nonEmpty > 1) {
          visited++;
          scanFeature(f, touched, nOrder, nodeTot, nodePos, cnt);
        }
        for (let a = 0; a < nOrder; a++) {
          const b = touched[a]!;
          hw[b] = 0;
          hp[b] = 0;
          hc[b] = 0;
        }
        hw[0] = 0;
        hp[0] = 0;
        hc[0] = 0;
      } else {
        for (let i = start; i < end; i++) {
          const b = bins[off + idx[i]!]!;
          hw[b]! += w[i]!;
          hp[b]! += wy[i]!;
          hc[b]! += 1;
        }
        for (let b = 1; b < nb; b++) if (hc[b]! > 0) touched[nOrder++] = b;
        const nonEmpty = nOrder + (hc[0]! > 0 ? 1 : 0);
        if (nonEmpty > 1) {
          visited++;
          scanFeature(f, touched, nOrder, nodeTot, nodePos, cnt);
        }
        hw.fill(0, 0, nb);
        hp.fill(0, 0, nb);
        hc.fill(0, 0, nb);
      }
    }
    if (bestF < 0 || bestScore - parentScore <= MIN_GAIN * nodeTot) continue;

    // Partition the node's rows: left side first.
    const off = bestF * nRows;
    const t = bestT;
    const ml = bestML;
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
    const l = feature.length;
    feature[node] = bestF;
    splitBin[node] = t;
    missingLeft[node] = ml;
    left[node] = l;
    gain[node] = bestScore - parentScore;
    for (let c = 0; c < 2; c++) {
      feature.push(-1);
      splitBin.push(0);
      missingLeft.push(0);
      left.push(-1);
      value.push(0);
      gain.push(0);
    }
    stack.push(l + 1, i, end, depth + 1, rTot, rPos);
    stack.push(l, start, i, depth + 1, lTot, lPos);
  }

  return {
    feature: Int32Array.from(feature),
    splitBin: Int32Array.from(splitBin),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    value: Float64Array.from(value),
    gain: Float64Array.from(gain),
  };
}
