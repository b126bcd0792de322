import type { Labels, Scores } from './common.ts';
import { checkLengths, descendingOrder, ratio } from './common.ts';

/** Ranking metrics over all thresholds, matching scikit-learn's roc_curve / roc_auc_score / average_precision_score. */
/** One point per distinct score, highest first: cumulative tp/fp when predicting score ≥ threshold. */
export interface RankPoint {
  threshold: number;
  tp: number;
  fp: number;
}

/**
 * rankPoints as flat arrays, `length` points: what every curve, AUC and threshold of an evaluation
 * is read from, so the rows are ranked once per evaluation (a million rows give up to a million
 * points, which as objects cost seconds of garbage per curve).
 */
export interface RankTable {
  length: number;
  threshold: Float64Array;
  tp: Uint32Array;
  fp: Uint32Array;
}

/** The rank table of the scores; `order` when the caller already has descendingOrder(scores). */
export function rankTable(labels: Labels, scores: Scores, order = descendingOrder(scores)): RankTable {
  const n = checkLengths(labels, scores);
  const threshold = new Float64Array(n);
  const tpAt = new Uint32Array(n);
  const fpAt = new Uint32Array(n);
  let length = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i]!;
    if (labels[r] === 1) tp++;
    else fp++;
    const next = order[i + 1];
    // Tied scores form one point: a threshold cannot separate them.
    if (next === undefined || scores[next] !== scores[r]) {
      threshold[length] = scores[r] as number;
      tpAt[length] = tp;
      fpAt[length] = fp;
      length++;
    }
  }
  return { length, threshold, tp: tpAt, fp: fpAt };
}

export function rankPoints(labels: Labels, scores: Scores): RankPoint[] {
  const t = rankTable(labels, scores);
  return Array.from({ length: t.length }, (_, j) => ({
    threshold: t.threshold[j]!,
    tp: t.tp[j]!,
    fp: t.fp[j]!,
  }));
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** Positives and negatives of a rank table (its last point's counts). */
function totals(t: RankTable): { P: number; N: number } {
  return t.length > 0 ? { P: t.tp[t.length - 1]!, N: t.fp[t.length - 1]! } : { P: 0, N: 0 };
}

/** Point j of the ROC curve of a rank table: 0 is (0, 0) at threshold +∞, j ≥ 1 the table's point j − 1. */
export function rocPointOf(t: RankTable, j: number): RocPoint {
  if (j === 0) return { threshold: Infinity, fpr: 0, tpr: 0 };
  const { P, N } = totals(t);
  return { threshold: t.threshold[j - 1]!, fpr: ratio(t.fp[j - 1]!, N), tpr: ratio(t.tp[j - 1]!, P) };
}

/** ROC curve over every distinct threshold, starting at (0, 0) with threshold +∞ (as sklearn ≥ 1.3). */
export function rocCurve(labels: Labels, scores: Scores): RocPoint[] {
  const t = rankTable(labels, scores);
  return Array.from({ length: t.length + 1 }, (_, j) => rocPointOf(t, j));
}

/** Trapezoid area under the ROC curve; ties count half, like sklearn's roc_auc_score. NaN if one class is absent. */
export function rocAuc(labels: Labels, scores: Scores): number {
  return rocAucOf(rankTable(labels, scores));
}

/** rocAuc from a rank table (the same sums in the same order). */
export function rocAucOf(t: RankTable): number {
  const { P, N } = totals(t);
  // The curve ends at (0, 0), not (1, 1), when a class is absent.
  if (N === 0 || P === 0) return NaN;
  let area = 0;
  let fpr = 0;
  let tpr = 0;
  for (let j = 0; j < t.length; j++) {
    const f = ratio(t.fp[j]!, N);
    const r = ratio(t.tp[j]!, P);
    area += ((f - fpr) * (tpr + r)) / 2;
    fpr = f;
    tpr = r;
  }
  return area;
}

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/** Point j of the precision/recall curve of a rank table. */
export function prPointOf(t: RankTable, j: number): PrPoint {
  const { P } = totals(t);
  const tp = t.tp[j]!;
  return { threshold: t.threshold[j]!, precision: ratio(tp, tp + t.fp[j]!), recall: ratio(tp, P) };
}

/** Precision/recall at each distinct threshold, highest threshold first. */
export function prCurve(labels: Labels, scores: Scores): PrPoint[] {
  const t = rankTable(labels, scores);
  return Array.from({ length: t.length }, (_, j) => prPointOf(t, j));
}

/** sklearn's average_precision_score: Σ (Rₙ − Rₙ₋₁) · Pₙ over thresholds, no interpolation. */
export function averagePrecision(labels: Labels, scores: Scores): number {
  return averagePrecisionOf(rankTable(labels, scores));
}

/** averagePrecision from a rank table (the same sums in the same order). */
export function averagePrecisionOf(t: RankTable): number {
  const { P } = totals(t);
  let prevRecall = 0;
  let ap = 0;
  for (let j = 0; j < t.length; j++) {
    const tp = t.tp[j]!;
    const recall = ratio(tp, P);
    ap += (recall - prevRecall) * ratio(tp, tp + t.fp[j]!);
    prevRecall = recall;
  }
  return ap;
}
