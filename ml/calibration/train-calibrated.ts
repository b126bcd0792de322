import { trainBlend } from '../blend/train-blend.ts';
import type { Dataset } from '../dataset.ts';
import { selectRowsAsync } from '../dataset.ts';
import { trainModel } from '../engine.ts';
import { calibrateAndEvaluateOffThread, chooseCalibrationOffThread } from '../evaluate-off-thread.ts';
import { hashFold, hashFolds } from '../evaluation/hash-folds.ts';
import type { BinaryEvaluation, ThresholdRule } from '../metrics.ts';
import type { ForestParams, Model, TrainOptions } from '../model.ts';
import { predictProbaOffThread } from '../predict-off-thread.ts';
import { CalibratedModel } from './calibrated-model.ts';

/** Rows the calibrator sees, with their ids (the halves of its cross-check come from them). */
export interface CalibrationRows {
  data: Dataset;
  ids: readonly string[];
}

/**
 * The run's recipe: fit the model on `train`, calibrate it on `calibration` (rows it did not learn
 * from: the validation slice, or in transactions mode the most recent labeled window).
 */
export async function trainCalibrated(
  train: Dataset,
  calibration: CalibrationRows,
  params: Partial<ForestParams> & { seed: number },
  opts: TrainOptions = {},
): Promise<CalibratedModel> {
  // A blend averages calibrated members (each calibrated on these rows), then is calibrated itself.
  const model =
    params.engine === 'blend'
      ? await trainBlend(
          params.blend,
          (engine, o) => trainCalibrated(train, calibration, { ...params, engine, blend: undefined }, o),
          opts,
        )
      : await trainModel(train, params, opts);
  return calibrate(model, calibration, params.seed, opts);
}

/** The model's calibrator fit on `calibration`: its scores off the event loop, the fit on a worker thread. */
export async function calibrate(
  model: Model,
  calibration: CalibrationRows,
  seed: number,
  opts: { signal?: AbortSignal } = {},
): Promise<CalibratedModel> {
  const raw = await predictProbaOffThread(model, calibration.data.columns, { signal: opts.signal });
  return calibrateScores(model, raw, calibration, seed);
}

/**
 * calibrate from the model's raw probabilities on the calibration rows, already computed (engine
 * auto scores each candidate once on the validation rows, for its calibration, figures and blend).
 */
export async function calibrateScores(
  model: Model,
  raw: Float64Array,
  calibration: CalibrationRows,
  seed: number,
): Promise<CalibratedModel> {
  const { calibrator, report } = await chooseCalibrationOffThread(
    raw,
    calibration.data.labels,
    hashFolds(calibration.ids, seed, 2),
  );
  return new CalibratedModel(model, calibrator, report);
}

/**
 * calibrateScores and evaluateCalibratedScores on the same rows (engine auto's candidates and blend
 * are calibrated and measured on all the validation rows) as one metrics-thread task: the chosen
 * method's out-of-fold scores give the probability figures, and the calibrated scores come back
 * with the figures. Same model and numbers as the two calls.
 */
export async function calibrateAndEvaluateScores(
  model: Model,
  raw: Float64Array,
  rows: CalibrationRows,
  rule: ThresholdRule,
  seed: number,
): Promise<{
  model: CalibratedModel;
  evaluation: BinaryEvaluation;
  calibrated: Float64Array;
  calibrateMs: number;
}> {
  const { calibrator, report, evaluation, calibrated, calibrateMs } = await calibrateAndEvaluateOffThread(
    raw,
    rows.data.labels,
    hashFolds(rows.ids, seed, 2),
    rule,
  );
  return { model: new CalibratedModel(model, calibrator, report), evaluation, calibrated, calibrateMs };
}

/**
 * The same recipe on rows that are not split yet (a cross-fitting fold): a share of them, chosen
 * by a hash of (seed, id) and never by label, calibrates; the rest fits.
 */
export async function trainCalibratedOn(
  rows: Dataset,
  ids: readonly string[],
  params: Partial<ForestParams> & { seed: number },
  calibrationShare: number,
  opts: TrainOptions = {},
): Promise<CalibratedModel> {
  const fitIdx: number[] = [];
  const calIdx: number[] = [];
  ids.forEach((id, i) =>
    (hashFold(id, params.seed + 1, 1000) < calibrationShare * 1000 ? calIdx : fitIdx).push(i),
  );
  return trainCalibrated(
    await selectRowsAsync(rows, fitIdx),
    { data: await selectRowsAsync(rows, calIdx), ids: calIdx.map((i) => ids[i]!) },
    params,
    opts,
  );
}
