import type { Labels, Scores } from './metrics/common.ts';
import { descendingOrder } from './metrics/common.ts';
import type { PrPoint } from './metrics/curves.ts';
import { averagePrecisionOf, prPointOf, rankTable, rocAucOf, rocPointOf } from './metrics/curves.ts';
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

/** Points 0..length−1 of a curve, thinned to at most MAX_CURVE_POINTS evenly spaced ones (first and last kept). */
function thin<T>(length: number, point: (j: number) => T): T[] {
  if (length <= MAX_CURVE_POINTS) return Array.from({ length }, (_, j) => point(j));
  const step = (length - 1) / (MAX_CURVE_POINTS - 1);
  return Array.from({ length: MAX_CURVE_POINTS }, (_, i) => point(Math.round(i * step)));
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

/**
 * Every metric of a scored set in one JSON-serialisable object (NaN AUC becomes null in JSON). The
 * rows are ranked once and every curve, area, threshold and decile read from that ranking.
 */
export function evaluateBinary(
  labels: Labels,
  scores: Scores,
  thresholdRule: ThresholdRule,
): BinaryEvaluation {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const order = descendingOrder(scores);
  const lift = liftTable(labels, scores, order);
  const ranks = rankTable(labels, scores, order);
  return {
    rows: labels.length,
    positives,
    prevalence: labels.length > 0 ? positives / labels.length : 0,
    rocAuc: rocAucOf(ranks),
    averagePrecision: averagePrecisionOf(ranks),
    logLoss: logLoss(labels, scores),
    brier: brierScore(labels, scores),
    thresholdRule,
    atThreshold: metricsAt(labels, scores, chooseThreshold(labels, scores, thresholdRule, ranks)),
    roc: thin(ranks.length + 1, (j) => {
      const p = rocPointOf(ranks, j);
      return { fpr: p.fpr, tpr: p.tpr };
    }),
    pr: thin(ranks.length, (j) => prPointOf(ranks, j)),
    lift,
    topDecileCapture: lift[0]?.cumulativeCapture ?? 0,
    calibration: calibrationTable(labels, scores),
  };
}
