import type { Dataset } from '../../ml/dataset.ts';
import {
  defaultBoostParams,
  type ForestParams,
  type Predictor,
  predictProbaOffThread,
} from '../../ml/engine.ts';
import { rankingOffThread } from '../../ml/evaluate-off-thread.ts';
import { rocAuc } from '../../ml/metrics.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';

export interface LeakSuspect {
  feature: string;
  auc: number;
}

/**
 * Features that alone separate the label: ROC-AUC of the raw values (either direction) above
 * `maxAuc`. Missing values rank lowest. A categorical ranks by its categories' positive rate, so
 * an id-like column (one category per row) is caught too. Such a feature usually carries the
 * outcome itself (the shoppers file's PageValues includes the session's own purchase).
 */
export function leakSuspects(
  m: Pick<FeatureMatrix, 'featureNames' | 'categorical' | 'columns' | 'labels'>,
  maxAuc: number,
): LeakSuspect[] {
  const out: LeakSuspect[] = [];
  let pos = 0;
  for (const l of m.labels) pos += l;
  if (pos === 0 || pos === m.labels.length) return out;
  m.featureNames.forEach((feature, j) => {
    const col = m.columns[j]!;
    const scores = m.categorical[j] ? categoryRates(col, m.labels) : withMissingLowest(col);
    const auc = rocAuc(m.labels, scores);
    const best = Math.max(auc, 1 - auc);
    if (best > maxAuc) out.push({ feature, auc: best });
  });
  return out.sort((a, b) => b.auc - a.auc);
}

export function leakWarning(s: LeakSuspect): string {
  return `possible label leak: feature "${s.feature}" alone separates the label (ROC-AUC ${s.auc.toFixed(3)}); check it is known before the outcome`;
}

function withMissingLowest(col: Float64Array): Float64Array {
  let min = Infinity;
  for (const v of col) if (v < min) min = v;
  const floor = Number.isFinite(min) ? min - 1 : 0;
  return col.map((v) => (v === v ? v : floor));
}

function categoryRates(col: Float64Array, labels: Uint8Array): Float64Array {
  const sums = new Map<number, [number, number]>();
  col.forEach((v, i) => {
    const k = v === v ? v : -1;
    const s = sums.get(k) ?? [0, 0];
    s[0] += labels[i]!;
    s[1] += 1;
    sums.set(k, s);
  });
  return col.map((v) => {
    const s = sums.get(v === v ? v : -1)!;
    return s[0] / s[1];
  });
}

/** A feature the model leans on too much to be honest: figures of the drop-column and dominance rules. */
export interface DependenceSuspect {
  feature: string;
  /** Validation ROC-AUC lost when the feature is blanked out and the model refitted. */
  aucLoss: number;
  /** Share of the model's total feature importance. */
  importanceShare: number;
  rule: 'drop-column' | 'dominance';
}

export interface DependenceOptions {
  maxAucLoss: number;
  maxImportanceShare: number;
  /** Only the most important features are refitted without themselves (one fit each). */
  topK: number;
}

/**
 * Beyond single-feature AUC: a post-outcome column often separates the label only together with
 * the others (a call's duration: 0.81 alone, +0.14 AUC to the model). Each of the topK most
 * important features is blanked (all missing) in training and validation rows and the model
 * refitted: losing more than maxAucLoss of validation ROC-AUC, or holding more than
 * maxImportanceShare of the importance, names it. What it cannot catch: a leak spread over many
 * columns (no single removal hurts), a leak duplicated in two columns (each covers for the other),
 * and a genuinely strong honest feature is named too: the warning asks to check, it blocks nothing.
 */
export async function dependenceSuspects(
  train: Dataset,
  valid: Dataset,
  importance: number[],
  fit: (rows: Dataset) => Promise<Predictor>,
  opts: DependenceOptions,
): Promise<DependenceSuspect[]> {
  const total = importance.reduce((a, b) => a + Math.max(0, b), 0) || 1;
  const order = importance
    .map((v, f) => ({ f, share: Math.max(0, v) / total }))
    .sort((a, b) => b.share - a.share || a.f - b.f)
    .slice(0, opts.topK);
  // Scores and AUC off the event loop: the validation rows may be a million.
  const auc = async (t: Dataset, v: Dataset) =>
    (await rankingOffThread(v.labels, await predictProbaOffThread(await fit(t), v.columns))).rocAuc;
  const base = await auc(train, valid);
  const out: DependenceSuspect[] = [];
  for (const { f, share } of order) {
    const blank = (d: Dataset): Dataset => ({
      ...d,
      columns: d.columns.map((c, j) => (j === f ? new Float64Array(d.nRows).fill(NaN) : c)),
    });
    const loss = base - (await auc(blank(train), blank(valid)));
    const feature = train.featureNames[f]!;
    if (loss > opts.maxAucLoss)
      out.push({ feature, aucLoss: loss, importanceShare: share, rule: 'drop-column' });
    else if (share > opts.maxImportanceShare)
      out.push({ feature, aucLoss: loss, importanceShare: share, rule: 'dominance' });
  }
  return out;
}

/**
 * The recipe of dependenceSuspects' refits: at most 30 trees and 30 boosting rounds. A refit only
 * has to show whether the model leans on one feature, and each suspect costs one.
 */
export function leakRefitRecipe<P extends Pick<ForestParams, 'nTrees' | 'boost'>>(recipe: P): P {
  const maxIter = Math.min(recipe.boost?.maxIter ?? defaultBoostParams.maxIter, 30);
  return { ...recipe, nTrees: Math.min(recipe.nTrees, 30), boost: { ...recipe.boost, maxIter } };
}

export const DEPENDENCE_PREFIX = 'possible label leak: the model depends on';

export function dependenceWarning(s: DependenceSuspect): string {
  const figures = `without it validation ROC-AUC drops by ${s.aucLoss.toFixed(3)}; ${(s.importanceShare * 100).toFixed(0)} % of the importance`;
  return `${DEPENDENCE_PREFIX} feature "${s.feature}" (${figures}); check it is known before the outcome`;
}
