import type { Dataset } from '../dataset.ts';
import { selectRowsAsync } from '../dataset.ts';
import type { Model, TrainOptions } from '../model.ts';
import { predictProbaOffThread } from '../predict-off-thread.ts';
import { hashFoldsAsync } from './hash-folds.ts';

/** Fits one fold's model on the rows it may see; the recipe is the run's (engine, params, calibration). */
export type FitRecipe = (train: Dataset, ids: string[], opts: TrainOptions) => Promise<Model>;

export interface CrossFit {
  /** Out-of-fold score of every row, in row order. */
  scores: Float64Array;
  /** The fold that scored each row (its model never saw the row). */
  folds: Uint8Array;
}

/**
 * Cross-fitted (out-of-fold) scores: rows are dealt to k folds by a hash of (seed, id), and each
 * fold is scored by the recipe fitted on the other folds only, in id order. So a row's score
 * never depends on its own label, nor on the order rows come in: what the published table holds for rows whose outcome is already known, instead
 * of the in-sample score of a model that learned them.
 */
export async function crossFitScores(
  data: Dataset,
  ids: string[],
  fit: FitRecipe,
  k: number,
  seed: number,
  opts: TrainOptions = {},
): Promise<CrossFit> {
  if (ids.length !== data.nRows) throw new RangeError(`${ids.length} ids for ${data.nRows} rows`);
  const folds = await hashFoldsAsync(ids, seed, k);
  const scores = new Float64Array(data.nRows).fill(NaN);
  for (let f = 0; f < k; f++) {
    const inIdx: number[] = [];
    const outIdx: number[] = [];
    for (let i = 0; i < data.nRows; i++) (folds[i] === f ? outIdx : inIdx).push(i);
    if (outIdx.length === 0) continue;
    // The fold's rows in id order: the caller's order (labeled mode: train rows, then validation
    // rows, a split that depends on the labels) must not reach the fit, whose sampling is by
    // position. Otherwise flipping one row's label reorders the other rows and moves its score.
    inIdx.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
    const model = await fit(
      await selectRowsAsync(data, inIdx),
      inIdx.map((i) => ids[i]!),
      {
        ...opts,
        onProgress: (done, total) => opts.onProgress?.(f * total + done, k * total),
      },
    );
    const held = await selectRowsAsync(data, outIdx);
    const p = await predictProbaOffThread(model, held.columns, { signal: opts.signal });
    outIdx.forEach((row, j) => (scores[row] = p[j]!));
  }
  return { scores, folds };
}
