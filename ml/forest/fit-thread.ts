import { parentPort } from 'node:worker_threads';
import type { Dataset } from '../dataset.ts';
import { trainLogistic } from '../linear/train-logistic.ts';
import type { ForestParams } from '../model.ts';

/** Worker entry: fits one single-threaded engine (logistic regression) off the main thread, posts its JSON. */
interface FitJob {
  engine: 'logistic';
  data: Dataset;
  params: ForestParams;
  classWeight: [number, number];
}

if (!parentPort) throw new Error('fit-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: FitJob) => {
  const model = trainLogistic(job.data, { C: job.params.C ?? 1 }, job.classWeight, (done, total) =>
    port.postMessage({ progress: [done, total] }),
  );
  port.postMessage({ model: model.serialize() });
});
