import type { MessagePort } from 'node:worker_threads';
import { parentPort } from 'node:worker_threads';
import type { SharedHistJob } from './boost-work.ts';
import { serveHistograms } from './boost-work.ts';

/**
 * Worker entry: the second thread of a gbdt fit. It gets a port to the fitting thread, then the
 * shared memory on it, and builds its half of every large node's histogram until told to quit.
 */
if (!parentPort) throw new Error('hist-thread must run as a worker thread');

parentPort.once('message', (msg: { port?: MessagePort }) => {
  const port = msg.port;
  if (!port) throw new Error('hist-thread started without a port to the fitting thread');
  port.once('message', (job: SharedHistJob) => {
    if (!(job.ctrl instanceof Int32Array) || !(job.hists instanceof Float64Array))
      throw new Error('hist-thread got a malformed job');
    serveHistograms(job);
    port.close();
  });
});
