import type { Dataset } from '../dataset.ts';
import { hashFolds } from '../evaluation/hash-folds.ts';
import {
  type BinaryEvaluation,
  brierScore,
  calibrationTable,
  evaluateBinary,
  logLoss,
  type ThresholdRule,
} from '../metrics.ts';
import type { Model } from '../model.ts';
import { CalibratedModel } from './calibrated-model.ts';
import { crossCalibrated } from './choose-calibrator.ts';

/**
 * Every metric of a model on its validation rows. When those rows also fit its calibrator, the
 * probability figures (log-loss, Brier, the calibration table) are taken from scores each
 * calibrated by the calibrator of the other half: rows the calibrator did not see. Ranking
 * figures are the published scores' (calibration keeps the order).
 */
export function evaluateCalibrated(
  model: Model,
  valid: Dataset & { ids: readonly string[] },
  rule: ThresholdRule,
  seed: number,
): BinaryEvaluation {
  const evaluation = evaluateBinary(valid.labels, model.predictProba(valid.columns), rule);
  if (!(model instanceof CalibratedModel) || model.calibrator.method === 'none') return evaluation;
  const honest = crossCalibrated(
    model.calibrator.method,
    model.inner.predictProba(valid.columns),
    valid.labels,
    hashFolds(valid.ids, seed, 2),
  );
  return {
    ...evaluation,
    logLoss: logLoss(valid.labels, honest),
    brier: brierScore(valid.labels, honest),
    calibration: calibrationTable(valid.labels, honest),
  };
}
