import { parentPort } from 'node:worker_threads';
import { type ComputeTask, resultTransfer, runComputeTask } from './compute-task.ts';

/** Worker entry: one compute task (metrics, a calibration fit, a customer-value fit) on transferred arrays, then is terminated. */
if (!parentPort) throw new Error('metrics-thread must run as a worker thread');
const port = parentPort;

port.once('message', (job: ComputeTask) => {
  const rows = 'labels' in job ? job.labels : job.x;
  if (!ArrayBuffer.isView(rows)) throw new Error(`metrics-thread got a malformed job (${String(job.task)})`);
  const result = runComputeTask(job);
  // Per-customer figures (a million rows) are handed over, not copied.
  port.postMessage(result, resultTransfer(result));
});
