import type { Labels, Scores } from './common.ts';
import { checkLengths, descendingOrder, ratio } from './common.ts';

/** Ranking metrics over all thresholds, matching scikit-learn's roc_curve / roc_auc_score / average_precision_score. */
/** One point per distinct score, highest first: cumulative tp/fp when predicting score ≥ threshold. */
export interface RankPoint {
  threshold: number;
  tp: number;
  fp: number;
}

export function rankPoints(labels: Labels, scores: Scores): RankPoint[] {
  const n = checkLengths(labels, scores);
  const order = descendingOrder(scores);
  const points: RankPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i] as number;
    if (labels[r] === 1) tp++;
    else fp++;
    const next = order[i + 1];
    // Tied scores form one point: a threshold cannot separate them.
    if (next === undefined || scores[next] !== scores[r])
      points.push({ threshold: scores[r] as number, tp, fp });
  }
  return points;
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** ROC curve over every distinct threshold, starting at (0, 0) with threshold +∞ (as sklearn ≥ 1.3). */
export function rocCurve(labels: Labels, scores: Scores): RocPoint[] {
  const pts = rankPoints(labels, scores);
  const last = pts[pts.length - 1];
  const P = last?.tp ?? 0;
  const N = last?.fp ?? 0;
  return [
    { threshold: Infinity, fpr: 0, tpr: 0 },
    ...pts.map((p) => ({ threshold: p.threshold, fpr: ratio(p.fp, N), tpr: ratio(p.tp, P) })),
  ];
}

/** Trapezoid area under the ROC curve; ties count half, like sklearn's roc_auc_score. NaN if one class is absent. */
export function rocAuc(labels: Labels, scores: Scores): number {
  const curve = rocCurve(labels, scores);
  const last = curve[curve.length - 1];
  if (!last || last.fpr === 0 || last.tpr === 0) return NaN;
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1] as RocPoint;
    const b = curve[i] as RocPoint;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return area;
}

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/** Precision/recall at each distinct threshold, highest threshold first. */
export function prCurve(labels: Labels, scores: Scores): PrPoint[] {
  const pts = rankPoints(labels, scores);
  const P = pts[pts.length - 1]?.tp ?? 0;
  return pts.map((p) => ({
    threshold: p.threshold,
    precision: ratio(p.tp, p.tp + p.fp),
    recall: ratio(p.tp, P),
  }));
}

/** sklearn's average_precision_score: Σ (Rₙ − Rₙ₋₁) · Pₙ over thresholds, no interpolation. */
export function averagePrecision(labels: Labels, scores: Scores): number {
  let prevRecall = 0;
  let ap = 0;
  for (const p of prCurve(labels, scores)) {
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return ap;
}
