import { applyCalibratorAll, type Calibrator } from './calibration/calibrator.ts';
import {
  chooseCalibration,
  crossCalibrated,
  type FittedCalibration,
} from './calibration/choose-calibrator.ts';
import {
  averagePrecision,
  type BinaryEvaluation,
  brierScore,
  calibrationTable,
  evaluateBinary,
  logLoss,
  rocAuc,
  type ThresholdRule,
} from './metrics.ts';

/**
 * The heavy pure computations over every validation row (sorts, curves, calibration fits), as
 * messages a metrics thread runs: the same functions, on copies of the same arrays.
 */
export type ComputeTask =
  | { task: 'evaluate'; labels: Uint8Array; scores: Float64Array; rule: ThresholdRule }
  | { task: 'calibrate'; labels: Uint8Array; scores: Float64Array; halves: Uint8Array }
  | {
      task: 'evaluateCalibrated';
      labels: Uint8Array;
      /** The base model's scores; the calibrator is applied here. */
      raw: Float64Array;
      calibrator: Calibrator;
      /** Halves of the calibration rows' cross-check: probability figures from the other half's calibrator. */
      halves: Uint8Array | null;
      rule: ThresholdRule;
    }
  | { task: 'ranking'; labels: Uint8Array; scores: Float64Array };

export interface Ranking {
  rocAuc: number;
  averagePrecision: number;
}

export interface ComputeResult {
  evaluate: BinaryEvaluation;
  calibrate: FittedCalibration;
  evaluateCalibrated: BinaryEvaluation;
  ranking: Ranking;
}

export function runComputeTask<T extends ComputeTask>(t: T): ComputeResult[T['task']] {
  return run(t) as ComputeResult[T['task']];
}

function run(t: ComputeTask): ComputeResult[keyof ComputeResult] {
  switch (t.task) {
    case 'evaluate':
      return evaluateBinary(t.labels, t.scores, t.rule);
    case 'calibrate':
      return chooseCalibration(t.scores, t.labels, t.halves);
    case 'ranking':
      return { rocAuc: rocAuc(t.labels, t.scores), averagePrecision: averagePrecision(t.labels, t.scores) };
    case 'evaluateCalibrated':
      return evaluateCalibratedScores(t.labels, t.raw, t.calibrator, t.halves, t.rule);
  }
}

/**
 * Every metric of calibrated scores. With the calibration rows' halves, the probability figures
 * (log-loss, Brier, the calibration table) come from scores each calibrated by the calibrator of
 * the other half: rows the calibrator did not see. Ranking figures are the published scores'.
 */
function evaluateCalibratedScores(
  labels: Uint8Array,
  raw: Float64Array,
  calibrator: Calibrator,
  halves: Uint8Array | null,
  rule: ThresholdRule,
): BinaryEvaluation {
  const evaluation = evaluateBinary(labels, applyCalibratorAll(calibrator, raw), rule);
  if (!halves || calibrator.method === 'none') return evaluation;
  const honest = crossCalibrated(calibrator.method, raw, labels, halves);
  return {
    ...evaluation,
    logLoss: logLoss(labels, honest),
    brier: brierScore(labels, honest),
    calibration: calibrationTable(labels, honest),
  };
}
