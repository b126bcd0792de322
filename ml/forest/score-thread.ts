import { parentPort } from 'node:worker_threads';
import { scoreTopForest } from './explain-forest.ts';
import type { PredictLayout } from './predict-forest.ts';
import { predictForest } from './predict-forest.ts';

/** Worker entry: scores one slice of rows (probabilities, and top-k reasons when k > 0), then is terminated. */
interface ScoreJob {
  layout: PredictLayout;
  value: Float64Array;
  base: number;
  columns: Float64Array[];
  k: number;
}

if (!parentPort) throw new Error('score-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: ScoreJob) => {
  if (!(job.layout?.node instanceof Int32Array) || !Array.isArray(job.columns))
    throw new Error('score-thread got a malformed job');
  // With reasons, one walk gives both; without, the plain walk is cheaper.
  const both = job.k > 0 ? scoreTopForest(job.layout, job.value, job.columns, job.k, job.base) : null;
  const proba = both?.proba ?? predictForest(job.layout, job.columns);
  const top = both?.top ?? null;
  const transfer: ArrayBuffer[] = [proba.buffer as ArrayBuffer];
  if (top) transfer.push(top.features.buffer as ArrayBuffer, top.contributions.buffer as ArrayBuffer);
  port.postMessage({ proba, top }, transfer);
});
