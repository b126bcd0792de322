import type { MessagePort } from 'node:worker_threads';
import type { Dataset } from '../dataset.ts';
import { selectRows, validateDataset } from '../dataset.ts';
import { binColumns, binOf } from '../forest/bins.ts';
import { forestFromTrees } from '../forest/forest-arrays.ts';
import type { GrownTree } from '../forest/node-store.ts';
import type { ForestParams } from '../model.ts';
import { stratifiedSplit } from '../split.ts';
import { AUTO_EARLY_STOPPING_ROWS, resolveBoostParams } from './boost-params.ts';
import type { BoostTreeData } from './boost-work.ts';
import { BoostWork } from './boost-work.ts';
import type { BoostFitInfo } from './gbdt-model.ts';
import { GbdtModel } from './gbdt-model.ts';
import { growBoostTree } from './grow-boost-tree.ts';

/** scikit-learn's tol for early stopping on the loss: an improvement smaller than this is none. */
const STOP_TOL = 1e-7;
const EPS = 1e-15;

/** log(1 + e^z) without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** Weighted mean log-loss of raw scores (logits). */
function logLoss(raw: Float64Array, labels: Uint8Array, cw: readonly [number, number]): number {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < raw.length; i++) {
    const y = labels[i]!;
    const w = cw[y]!;
    s += w * (softplus(raw[i]!) - (y === 1 ? raw[i]! : 0));
    ws += w;
  }
  return ws > 0 ? s / ws : 0;
}

/** Adds a tree's leaf values to rows binned with the training cuts (the validation rows). */
function addTree(t: GrownTree, rowBins: Uint8Array, nF: number, raw: Float64Array): void {
  for (let r = 0, o = 0; r < raw.length; r++, o += nF) {
    let n = 0;
    let f = t.feature[0]!;
    while (f >= 0) {
      const b = rowBins[o + f]!;
      const l = t.left[n]!;
      n = (b === 0 ? t.missingLeft[n] === 1 : b <= t.splitBin[n]!) ? l : l + 1;
      f = t.feature[n]!;
    }
    raw[r]! += t.value[n]!;
  }
}

/** Row-major copy of column-major bins: a histogram pass then reads one cache line per row. */
function toRowMajor(bins: Uint8Array, nRows: number, nF: number): Uint8Array {
  const out = new Uint8Array(nRows * nF);
  for (let f = 0; f < nF; f++) {
    const off = f * nRows;
    for (let r = 0, o = f; r < nRows; r++, o += nF) out[o] = bins[off + r]!;
  }
  return out;
}

/** Stop when none of the last n losses beat the one n rounds before by STOP_TOL (scikit-learn's rule). */
export function shouldStop(losses: readonly number[], n: number): boolean {
  if (losses.length < n + 1) return false;
  const reference = losses[losses.length - n - 1]! - STOP_TOL;
  for (let i = losses.length - n; i < losses.length; i++) if (losses[i]! < reference) return false;
  return true;
}

/**
 * Binary log-loss gradient boosting on the forest's bins (ml/forest/bins.ts). With early
 * stopping a stratified validation slice (by seed) is carved from the rows first; the model
 * keeps the rounds up to its lowest validation loss. Synchronous CPU work: run it on a thread.
 */
export async function trainBoost(
  data: Dataset,
  params: ForestParams,
  classWeight: readonly [number, number],
  onProgress?: (done: number, total: number) => void,
  /** A hist-thread's port: histograms of large nodes are then built on two threads. */
  helper: MessagePort | null = null,
): Promise<GbdtModel> {
  validateDataset(data);
  const bp = resolveBoostParams(params.boost);
  const early = bp.earlyStopping === 'auto' ? data.nRows > AUTO_EARLY_STOPPING_ROWS : bp.earlyStopping;
  let train = data;
  let valid: Dataset | null = null;
  if (early) {
    const split = stratifiedSplit(data.labels, bp.validationFraction, params.seed);
    if (split.test.length > 0 && split.train.length > 0) {
      train = selectRows(data, split.train);
      valid = selectRows(data, split.test);
    }
  }
  const nF = train.columns.length;
  const n = train.nRows;
  const binned = await binColumns(train.columns, n, params.maxBins);
  const tree: BoostTreeData = {
    rowBins: toRowMajor(binned.bins, n, nF),
    nRows: n,
    nFeatures: nF,
    nBins: binned.nBins,
  };
  const validBins = valid ? new Uint8Array(valid.nRows * nF) : null;
  if (valid && validBins)
    for (let f = 0; f < nF; f++) {
      const col = valid.columns[f]!;
      const c = binned.cuts[f]!;
      for (let r = 0; r < valid.nRows; r++) validBins[r * nF + f] = binOf(c, col[r]!);
    }

  const labels = train.labels;
  const w = Float64Array.from(labels, (y) => classWeight[y === 1 ? 1 : 0]);
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    swy += labels[i] === 1 ? w[i]! : 0;
  }
  const p0 = Math.min(1 - EPS, Math.max(EPS, sw > 0 ? swy / sw : 0.5));
  const baseline = Math.log(p0 / (1 - p0));
  const raw = new Float64Array(n).fill(baseline);
  const rawValid = valid ? new Float64Array(valid.nRows).fill(baseline) : null;
  const work = new BoostWork(tree, bp.maxLeafNodes + 1, helper);
  const { grad, hess } = work;
  const settings = {
    maxLeafNodes: bp.maxLeafNodes,
    maxDepth: bp.maxDepth,
    minSamplesLeaf: bp.minSamplesLeaf,
    l2: bp.l2,
    learningRate: bp.learningRate,
  };
  const losses: number[] = valid && rawValid ? [logLoss(rawValid, valid.labels, classWeight)] : [];
  const trees: GrownTree[] = [];
  for (let iter = 0; iter < bp.maxIter; iter++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      const wi = w[i]!;
      grad[i] = wi * (p - labels[i]!);
      hess[i] = wi * p * (1 - p);
    }
    const grown = growBoostTree(work, settings);
    trees.push(grown.tree);
    const { idx } = work;
    for (const leaf of grown.leaves) for (let i = leaf.start; i < leaf.end; i++) raw[idx[i]!]! += leaf.value;
    onProgress?.(iter + 1, bp.maxIter);
    if (valid && rawValid && validBins) {
      addTree(grown.tree, validBins, nF, rawValid);
      losses.push(logLoss(rawValid, valid.labels, classWeight));
      if (shouldStop(losses, bp.nIterNoChange)) break;
    }
  }
  work.close();
  let kept = trees.length;
  if (losses.length > 1) {
    // Keep the rounds up to the lowest validation loss (at least one tree): the rest did not help.
    let best = 1;
    for (let i = 2; i < losses.length; i++) if (losses[i]! < losses[best]!) best = i;
    kept = best;
  }
  onProgress?.(bp.maxIter, bp.maxIter);
  const used = trees.slice(0, kept);
  const info: BoostFitInfo = {
    rounds: trees.length,
    trees: kept,
    earlyStopping: valid !== null,
    validationRows: valid?.nRows ?? 0,
    validationLoss: losses.length > 1 ? losses[kept]! : null,
  };
  return new GbdtModel(
    [...data.featureNames],
    { ...params, engine: 'gbdt', boost: bp },
    baseline,
    forestFromTrees(used, binned.cuts),
    gainImportance(used, nF),
    info,
  );
}

/** Total split gain per feature over all trees, as a share of the total. */
export function gainImportance(trees: GrownTree[], nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  let total = 0;
  for (const t of trees)
    for (let k = 0; k < t.feature.length; k++) {
      const f = t.feature[k]!;
      if (f < 0) continue;
      out[f]! += t.gain[k]!;
      total += t.gain[k]!;
    }
  if (total > 0) for (let f = 0; f < nFeatures; f++) out[f]! /= total;
  return out;
}
