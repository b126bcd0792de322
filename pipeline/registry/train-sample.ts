import type { ModelConfig } from '../../config/pipeline.ts';
import { selectRowsAsync } from '../../ml/dataset.ts';
import { stratifiedSample } from '../../ml/stratified-sample.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';

/** What a model version records of its training rows when model.maxTrainRows capped them (metrics.trainSample). */
export interface TrainSample {
  /** Rows actually trained on (the version's trainRows). */
  rows: number;
  /** Training rows the run had. */
  totalRows: number;
  maxTrainRows: number;
  seed: number;
}

/**
 * The rows train fits on: all of them up to model.maxTrainRows (null: no cap), above it a seeded
 * stratified sample of that many (same positive rate, to within one row), in id order. Fit time
 * grows with rows while validation ROC-AUC stops gaining long before a million (README, model
 * settings); the validation rows are never capped, so every figure stays measured on all of them.
 */
export async function capTrainRows(
  data: FeatureMatrix,
  model: Pick<ModelConfig, 'maxTrainRows' | 'seed'>,
): Promise<{ rows: FeatureMatrix; sample: TrainSample | null }> {
  const cap = model.maxTrainRows;
  if (cap === null || data.nRows <= cap) return { rows: data, sample: null };
  const idx = await stratifiedSample(data.labels, cap, model.seed);
  const rows = await selectRowsAsync(data, idx);
  const ids = new Array<string>(idx.length);
  for (let i = 0; i < idx.length; i++) ids[i] = data.ids[idx[i]!]!;
  return {
    rows: { ...rows, ids },
    sample: { rows: cap, totalRows: data.nRows, maxTrainRows: cap, seed: model.seed },
  };
}
