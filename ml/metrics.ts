import type { Labels, Scores } from './metrics/common.ts';
import type { PrPoint } from './metrics/curves.ts';
import { averagePrecision, prCurve, rocAuc, rocCurve } from './metrics/curves.ts';
import type { CalibrationBin, DecileRow } from './metrics/deciles.ts';
import { calibrationTable, liftTable } from './metrics/deciles.ts';
import type { ThresholdMetrics } from './metrics/scores.ts';
import { brierScore, logLoss, metricsAt } from './metrics/scores.ts';
import type { ThresholdRule } from './metrics/threshold.ts';
import { chooseThreshold } from './metrics/threshold.ts';

export type { Labels, Scores } from './metrics/common.ts';
export type { PrPoint, RankPoint, RocPoint } from './metrics/curves.ts';
export { averagePrecision, prCurve, rankPoints, rocAuc, rocCurve } from './metrics/curves.ts';
export type { CalibrationBin, DecileRow } from './metrics/deciles.ts';
export { calibrationTable, liftTable } from './metrics/deciles.ts';
export type { Confusion, ThresholdMetrics } from './metrics/scores.ts';
export { brierScore, confusionAt, logLoss, metricsAt } from './metrics/scores.ts';
export type { ThresholdRule } from './metrics/threshold.ts';
export { chooseThreshold } from './metrics/threshold.ts';

/** Curves in a report are charts: a few hundred points draw the same line as a million. */
const MAX_CURVE_POINTS = 200;

function thin<T>(points: T[]): T[] {
  if (points.length <= MAX_CURVE_POINTS) return points;
  const step = (points.length - 1) / (MAX_CURVE_POINTS - 1);
  return Array.from({ length: MAX_CURVE_POINTS }, (_, i) => points[Math.round(i * step)] as T);
}

export interface BinaryEvaluation {
  rows: number;
  positives: number;
  prevalence: number;
  rocAuc: number;
  averagePrecision: number;
  logLoss: number;
  brier: number;
  thresholdRule: ThresholdRule;
  atThreshold: ThresholdMetrics;
  /** Thinned to ≤ 200 points, from (0, 0) to (1, 1). */
  roc: { fpr: number; tpr: number }[];
  pr: PrPoint[];
  lift: DecileRow[];
  topDecileCapture: number;
  calibration: CalibrationBin[];
}

/** Every metric of a scored set in one JSON-serialisable object (NaN AUC becomes null in JSON). */
export function evaluateBinary(
  labels: Labels,
  scores: Scores,
  thresholdRule: ThresholdRule,
): BinaryEvaluation {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const lift = liftTable(labels, scores);
  return {
    rows: labels.length,
    positives,
    prevalence: labels.length > 0 ? positives / labels.length : 0,
    rocAuc: rocAuc(labels, scores),
    averagePrecision: averagePrecision(labels, scores),
    logLoss: logLoss(labels, scores),
    brier: brierScore(labels, scores),
    thresholdRule,
    atThreshold: metricsAt(labels, scores, chooseThreshold(labels, scores, thresholdRule)),
    roc: thin(rocCurve(labels, scores).map((p) => ({ fpr: p.fpr, tpr: p.tpr }))),
    pr: thin(prCurve(labels, scores)),
    lift,
    topDecileCapture: lift[0]?.cumulativeCapture ?? 0,
    calibration: calibrationTable(labels, scores),
  };
}
