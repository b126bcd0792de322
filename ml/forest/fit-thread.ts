import type { MessagePort } from 'node:worker_threads';
import { parentPort } from 'node:worker_threads';
import { trainBoost } from '../boost/train-boost.ts';
import type { Dataset } from '../dataset.ts';
import { trainLogistic } from '../linear/train-logistic.ts';
import type { ForestParams } from '../model.ts';

/** Worker entry: fits one single-threaded engine (logistic regression, gradient boosting) off the main thread, posts its JSON. */
interface FitJob {
  engine: 'logistic' | 'gbdt';
  data: Dataset;
  params: ForestParams;
  classWeight: [number, number];
  /** gbdt: a port to a hist-thread sharing the histogram work, when there are two threads. */
  helper?: MessagePort;
}

if (!parentPort) throw new Error('fit-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: FitJob) => {
  const progress = (done: number, total: number): void => port.postMessage({ progress: [done, total] });
  if (job.engine === 'gbdt') {
    trainBoost(job.data, job.params, job.classWeight, progress, job.helper ?? null).then(
      (model) => port.postMessage({ model: model.serialize() }),
      (err: unknown) => {
        // Rethrown outside the promise: the worker's 'error' event carries it to fitInThread.
        setImmediate(() => {
          throw err;
        });
      },
    );
    return;
  }
  const model = trainLogistic(job.data, { C: job.params.C ?? 1 }, job.classWeight, progress);
  port.postMessage({ model: model.serialize() });
});
