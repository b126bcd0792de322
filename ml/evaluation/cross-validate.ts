import type { Dataset } from '../dataset.ts';
import { selectRowsAsync } from '../dataset.ts';
import { type ForestParams, trainModel } from '../engine.ts';
import { rankingOffThread } from '../evaluate-off-thread.ts';
import { predictProbaOffThread } from '../predict-off-thread.ts';
import { stratifiedFolds } from './stratified-folds.ts';

export interface CvSummary {
  folds: number;
  rocAuc: { mean: number; sd: number; values: number[] };
  prAuc: { mean: number; sd: number; values: number[] };
}

interface CvOptions {
  threads?: number;
  signal: AbortSignal;
  onFold?: (done: number, total: number) => void;
}

/**
 * k-fold stratified CV on the training rows with the run's own parameters: how much the
 * validation figure could move with another split. Labeled tables only: for transactions the
 * split is by time, and shuffled folds would let the future leak into training.
 */
export async function crossValidate(
  data: Dataset,
  params: Partial<ForestParams> & { seed: number },
  k: number,
  opts: CvOptions,
): Promise<CvSummary> {
  const fold = stratifiedFolds(data.labels, k, params.seed);
  const auc: number[] = [];
  const ap: number[] = [];
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < data.nRows; i++) (fold[i] === f ? testIdx : trainIdx).push(i);
    const model = await trainModel(await selectRowsAsync(data, trainIdx), params, {
      ...(opts.threads ? { threads: opts.threads } : {}),
      signal: opts.signal,
    });
    const test = await selectRowsAsync(data, testIdx);
    // Off the event loop: each fold holds a fifth of a million training rows.
    const scores = await predictProbaOffThread(model, test.columns, { signal: opts.signal });
    const ranking = await rankingOffThread(test.labels, scores);
    auc.push(ranking.rocAuc);
    ap.push(ranking.averagePrecision);
    opts.onFold?.(f + 1, k);
  }
  return { folds: k, rocAuc: summarize(auc), prAuc: summarize(ap) };
}

function summarize(values: number[]): { mean: number; sd: number; values: number[] } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  // Sample standard deviation (n − 1): k is small and this is a spread estimate.
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd, values };
}
