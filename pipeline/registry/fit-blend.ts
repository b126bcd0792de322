import type { Pipeline } from '../../config/pipeline.ts';
import { blendLabel, BlendModel } from '../../ml/blend/blend-model.ts';
import { selectBlend } from '../../ml/blend/select-blend.ts';
import type { CalibratedModel } from '../../ml/calibration/calibrated-model.ts';
import { applyCalibrator } from '../../ml/calibration/calibrator.ts';
import { crossCalibrated } from '../../ml/calibration/choose-calibrator.ts';
import { evaluateCalibrated } from '../../ml/calibration/evaluate-calibrated.ts';
import { calibrate } from '../../ml/calibration/train-calibrated.ts';
import { chooseCalibrationOffThread, evaluateBinaryOffThread } from '../../ml/evaluate-off-thread.ts';
import { hashFolds } from '../../ml/evaluation/hash-folds.ts';
import { brierScore, logLoss } from '../../ml/metrics.ts';
import { mapInSlices, predictProbaOffThread } from '../../ml/predict-off-thread.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import type { CandidateFigure } from './choose-candidate.ts';
import { chooseCandidate } from './choose-candidate.ts';
import { headlineMetrics } from './headline-metrics.ts';

export interface FittedCandidate {
  model: CalibratedModel;
  figure: Omit<CandidateFigure, 'value' | 'chosen'>;
}

/** At most this many members: few degrees of freedom chosen on the validation rows. */
export const MAX_BLEND_MEMBERS = 3;

/**
 * Engine auto's blend candidate: the equal-weight mean of the fitted candidates' calibrated
 * probabilities, members chosen greedily (ml/blend/select-blend.ts) from the best single
 * candidate by the promotion metric on the validation rows, then calibrated on those rows
 * like every candidate, its figures taken as evaluateCalibrated takes them (log-loss and Brier
 * from the cross-calibrated halves). Null when no blend strictly beats the best single one.
 */
export async function fitBlendCandidate(
  pipeline: Pipeline,
  fitted: readonly FittedCandidate[],
  valid: FeatureMatrix,
  opts: { signal?: AbortSignal } = {},
): Promise<FittedCandidate | null> {
  if (fitted.length < 2) return null;
  const started = performance.now();
  const { threshold, seed } = pipeline.model;
  const metric = pipeline.promotion.metric;
  const lowerIsBetter = metric === 'logLoss' || metric === 'brier';
  const halves = hashFolds(valid.ids, seed, 2);
  // Each mix is calibrated and measured on the metrics thread (isotonic fits and curves sort every
  // validation row): seconds of main thread per blend at a million rows otherwise.
  const score = async (mix: Float64Array): Promise<number | null> => {
    const { calibrator } = await chooseCalibrationOffThread(mix, valid.labels, halves);
    const calibrated = await mapInSlices(mix, (v) => applyCalibrator(calibrator, v), opts.signal);
    const m = headlineMetrics(await evaluateBinaryOffThread(valid.labels, calibrated, threshold));
    if (calibrator.method !== 'none' && (metric === 'logLoss' || metric === 'brier')) {
      const honest = crossCalibrated(calibrator.method, mix, valid.labels, halves);
      return metric === 'logLoss' ? logLoss(valid.labels, honest) : brierScore(valid.labels, honest);
    }
    return m[metric];
  };
  const probas: Float64Array[] = [];
  for (const f of fitted) probas.push(await predictProbaOffThread(f.model, valid.columns, opts));
  const ranked = chooseCandidate(
    metric,
    fitted.map((f) => f.figure),
  );
  const best = ranked.findIndex((c) => c.chosen);
  const members = await selectBlend(probas, best, score, {
    lowerIsBetter,
    maxMembers: MAX_BLEND_MEMBERS,
    startScore: ranked[best]!.value,
  });
  if (members.length < 2) return null;
  // Members in candidate order (simplest first), so the same choice always makes the same blend.
  members.sort((a, b) => a - b);
  const blend = new BlendModel(
    members.map((i) => fitted[i]!.model),
    members.map(() => 1 / members.length),
  );
  const model = await calibrate(blend, { data: valid, ids: valid.ids }, seed, opts);
  const metrics = headlineMetrics(await evaluateCalibrated(model, valid, threshold, seed, opts));
  const fitMs =
    members.reduce((s, i) => s + fitted[i]!.figure.fitMs, 0) + Math.round(performance.now() - started);
  return {
    model,
    figure: { engine: blendLabel(blend.spec), metrics, fitMs, calibration: model.calibrator.method },
  };
}
