import {
  type BinaryEvaluation,
  brierScore,
  calibrationTable,
  evaluateBinary,
  logLoss,
  type ThresholdRule,
} from '../metrics.ts';
import { applyCalibratorAll } from './calibrator.ts';
import { chooseCalibrationOutOfFold, type FittedCalibration } from './choose-calibrator.ts';

export interface CalibratedEvaluation extends FittedCalibration {
  /** Every metric of the calibrated scores, as evaluateCalibratedScores measures them. */
  evaluation: BinaryEvaluation;
  /** The calibrated scores of the rows (the calibrator applied to each raw score). */
  calibrated: Float64Array;
  /** Wall time of the calibration part (its caller counts it in the model's fit time, the rest as evaluation). */
  calibrateMs: number;
}

/**
 * chooseCalibration, then every metric of the calibrated scores, in one pass over the calibration
 * rows, which are also the rows measured (engine auto's candidates and blend): the probability
 * figures (log-loss, Brier, the calibration table) come from the chosen method's out-of-fold
 * scores that chose it, instead of fitting both halves again; the rows are ranked once for every
 * isotonic fit. Same numbers as chooseCalibration followed by evaluateCalibratedScores.
 */
export function calibrateAndEvaluate(
  labels: Uint8Array,
  raw: Float64Array,
  halves: Uint8Array,
  rule: ThresholdRule,
): CalibratedEvaluation {
  const started = performance.now();
  const { fitted, outOfFold } = chooseCalibrationOutOfFold(raw, labels, halves);
  const calibrateMs = Math.round(performance.now() - started);
  const calibrated = applyCalibratorAll(fitted.calibrator, raw);
  const evaluation = evaluateBinary(labels, calibrated, rule);
  // A Platt fit refused on all rows leaves the scores as they are: their own figures, as for none.
  if (!outOfFold || fitted.calibrator.method === 'none')
    return { ...fitted, evaluation, calibrated, calibrateMs };
  return {
    ...fitted,
    calibrateMs,
    evaluation: {
      ...evaluation,
      logLoss: logLoss(labels, outOfFold),
      brier: brierScore(labels, outOfFold),
      calibration: calibrationTable(labels, outOfFold),
    },
    calibrated,
  };
}
