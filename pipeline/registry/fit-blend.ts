import type { Pipeline } from '../../config/pipeline.ts';
import { blendLabel, BlendModel } from '../../ml/blend/blend-model.ts';
import { selectBlend } from '../../ml/blend/select-blend.ts';
import type { CalibratedModel } from '../../ml/calibration/calibrated-model.ts';
import { calibrateAndEvaluateScores } from '../../ml/calibration/train-calibrated.ts';
import { calibrateAndEvaluateOffThread } from '../../ml/evaluate-off-thread.ts';
import { hashFolds } from '../../ml/evaluation/hash-folds.ts';
import { predictProbaOffThread } from '../../ml/predict-off-thread.ts';
import { stratifiedSample } from '../../ml/stratified-sample.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import type { CandidateFigure } from './choose-candidate.ts';
import { chooseCandidate } from './choose-candidate.ts';
import { headlineMetrics } from './headline-metrics.ts';
import { VALIDATION_SAMPLE_ROWS } from './validation-sample.ts';

export interface FittedCandidate {
  model: CalibratedModel;
  figure: Omit<CandidateFigure, 'value' | 'chosen'>;
  /** The model's probabilities on the validation rows when already computed (else they are). */
  probas?: Float64Array;
}

/** At most this many members: few degrees of freedom chosen on the validation rows. */
export const MAX_BLEND_MEMBERS = 3;

/**
 * Engine auto's blend candidate: the equal-weight mean of the fitted candidates' calibrated
 * probabilities, members chosen greedily (ml/blend/select-blend.ts) from the best single
 * candidate by the promotion metric, then calibrated on all the validation rows like every
 * candidate, its figures taken as evaluateCalibrated takes them (log-loss and Brier from the
 * cross-calibrated halves) on all of them. Null when no blend strictly beats the best single one.
 * Above `selectionRows` validation rows the members are chosen on a seeded stratified sample of
 * that many: each mix tried is calibrated and measured (sorts of every row), while the choice of
 * two or three members settles long before a million rows; the blend kept, and every figure, are
 * still fit and measured on all of them, from each candidate's scores (no row scored twice).
 */
export async function fitBlendCandidate(
  pipeline: Pipeline,
  fitted: readonly FittedCandidate[],
  valid: FeatureMatrix,
  opts: { signal?: AbortSignal; selectionRows?: number } = {},
): Promise<FittedCandidate | null> {
  if (fitted.length < 2) return null;
  const started = performance.now();
  const { threshold, seed } = pipeline.model;
  const metric = pipeline.promotion.metric;
  const lowerIsBetter = metric === 'logLoss' || metric === 'brier';
  const probas: Float64Array[] = [];
  for (const f of fitted)
    probas.push(f.probas ?? (await predictProbaOffThread(f.model, valid.columns, opts)));
  const selectionRows = opts.selectionRows ?? VALIDATION_SAMPLE_ROWS;
  const idx = valid.nRows <= selectionRows ? null : await stratifiedSample(valid.labels, selectionRows, seed);
  const labels = pick(valid.labels, idx);
  const halves = pick(hashFolds(valid.ids, seed, 2), idx);
  const chosenOn = idx ? probas.map((p) => pick(p, idx)) : probas;
  // Each mix is calibrated and measured on the metrics thread (isotonic fits and curves sort every
  // validation row): seconds of main thread per blend at a million rows otherwise. Its log-loss and
  // Brier are the out-of-fold ones (rows each half's calibrator did not see), as every candidate's.
  const score = async (mix: Float64Array): Promise<number | null> =>
    headlineMetrics((await calibrateAndEvaluateOffThread(mix, labels, halves, threshold)).evaluation)[metric];
  const ranked = chooseCandidate(
    metric,
    fitted.map((f) => f.figure),
  );
  const best = ranked.findIndex((c) => c.chosen);
  const members = await selectBlend(chosenOn, best, score, {
    lowerIsBetter,
    maxMembers: MAX_BLEND_MEMBERS,
    // The best single candidate's figure is on all rows: on a sample, its mix of one is scored there.
    ...(idx ? {} : { startScore: ranked[best]!.value }),
  });
  if (members.length < 2) return null;
  // Members in candidate order (simplest first), so the same choice always makes the same blend.
  members.sort((a, b) => a - b);
  const blend = new BlendModel(
    members.map((i) => fitted[i]!.model),
    members.map(() => 1 / members.length),
  );
  // Its scores on every validation row are the mix of its members' (what blend.predictProba gives).
  const raw = blend.mix(members.map((i) => probas[i]!));
  const { model, evaluation } = await calibrateAndEvaluateScores(
    blend,
    raw,
    { data: valid, ids: valid.ids },
    threshold,
    seed,
  );
  const metrics = headlineMetrics(evaluation);
  const fitMs =
    members.reduce((s, i) => s + fitted[i]!.figure.fitMs, 0) + Math.round(performance.now() - started);
  return {
    model,
    figure: { engine: blendLabel(blend.spec), metrics, fitMs, calibration: model.calibrator.method },
  };
}

/** The rows of `values` at `idx` (all of them, the same array, without one). */
function pick<T extends Float64Array | Uint8Array>(values: T, idx: Uint32Array | null): T {
  if (!idx) return values;
  const out = new (values.constructor as new (n: number) => T)(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]!]!;
  return out;
}
