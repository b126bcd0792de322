import { parentPort } from 'node:worker_threads';
import { evaluateBinary, type ThresholdRule } from './metrics.ts';

/** Worker entry: one evaluateBinary on transferred labels and scores, then is terminated. */
if (!parentPort) throw new Error('metrics-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: { labels: Uint8Array; scores: Float64Array; rule: ThresholdRule }) => {
  if (!(job.labels instanceof Uint8Array) || !(job.scores instanceof Float64Array))
    throw new Error('metrics-thread got a malformed job');
  port.postMessage(evaluateBinary(job.labels, job.scores, job.rule));
});
