import type { Dataset } from '../dataset.ts';
import { evaluateCalibratedOffThread } from '../evaluate-off-thread.ts';
import { hashFolds } from '../evaluation/hash-folds.ts';
import type { BinaryEvaluation, ThresholdRule } from '../metrics.ts';
import type { Model } from '../model.ts';
import { predictProbaOffThread } from '../predict-off-thread.ts';
import { CalibratedModel } from './calibrated-model.ts';

/**
 * Every metric of a model on its validation rows. When those rows also fit its calibrator, the
 * probability figures (log-loss, Brier, the calibration table) are taken from scores each
 * calibrated by the calibrator of the other half: rows the calibrator did not see. Ranking
 * figures are the published scores' (calibration keeps the order). The base model scores the
 * rows once, off the event loop, and the metrics run on a worker thread: a worker keeps its job
 * lock through a million validation rows.
 */
export async function evaluateCalibrated(
  model: Model,
  valid: Dataset & { ids: readonly string[] },
  rule: ThresholdRule,
  seed: number,
  opts: { signal?: AbortSignal } = {},
): Promise<BinaryEvaluation> {
  const calibrated = model instanceof CalibratedModel ? model : null;
  const raw = await predictProbaOffThread(calibrated ? calibrated.inner : model, valid.columns, opts);
  return evaluateCalibratedScores(model, raw, valid, rule, seed);
}

/**
 * evaluateCalibrated from the base model's raw probabilities on the validation rows, already
 * computed (for a CalibratedModel: its inner model's, before the calibrator).
 */
export function evaluateCalibratedScores(
  model: Model,
  raw: Float64Array,
  valid: Pick<Dataset, 'labels'> & { ids: readonly string[] },
  rule: ThresholdRule,
  seed: number,
): Promise<BinaryEvaluation> {
  const calibrated = model instanceof CalibratedModel ? model : null;
  const calibrator = calibrated?.calibrator ?? { method: 'none' as const };
  const halves = calibrator.method === 'none' ? null : hashFolds(valid.ids, seed, 2);
  return evaluateCalibratedOffThread(valid.labels, raw, calibrator, halves, rule);
}
