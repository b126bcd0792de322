import { parentPort } from 'node:worker_threads';
import { type ComputeTask, runComputeTask } from './compute-task.ts';

/** Worker entry: one compute task (metrics, a calibration fit) on transferred arrays, then is terminated. */
if (!parentPort) throw new Error('metrics-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: ComputeTask) => {
  if (!(job.labels instanceof Uint8Array)) throw new Error('metrics-thread got a malformed job');
  port.postMessage(runComputeTask(job));
});
