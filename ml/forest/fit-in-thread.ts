import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { MessageChannel } from 'node:worker_threads';
import { AbortError } from '../abort-error.ts';
import type { Dataset } from '../dataset.ts';
import type { ForestParams, TrainOptions } from '../model.ts';
import { startThread, threadEntry } from './thread-entry.ts';

const startWorker = (name: Parameters<typeof threadEntry>[0]): Worker => startThread(threadEntry(name));

/**
 * Runs a single-threaded fit (logistic regression, gradient boosting) on a worker thread and hands
 * back the model's JSON: the worker's event loop, and with it BullMQ's job lock, stays free while
 * it fits. Gradient boosting with threads > 1 gets a second thread that builds half of every large
 * histogram (ml/boost/hist-thread.ts), wired to the fitting thread by a MessageChannel.
 */
export function fitInThread(
  engine: 'logistic' | 'gbdt',
  data: Dataset,
  params: ForestParams,
  classWeight: readonly [number, number],
  opts: TrainOptions = {},
): Promise<string> {
  const { signal, onProgress } = opts;
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError('training aborted before it started', { cause: signal.reason }));
      return;
    }
    const wk = startWorker('fit-thread');
    const threads = Math.max(1, opts.threads ?? availableParallelism());
    const helper = engine === 'gbdt' && threads > 1 ? startWorker('hist-thread') : null;
    let settled = false;
    const finish = (err: Error | null, json?: string): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void wk.terminate();
      void helper?.terminate();
      if (err) reject(err);
      else resolve(json!);
    };
    const onAbort = (): void => finish(new AbortError('training aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    wk.on('message', (msg: { progress?: [number, number]; model?: string }) => {
      if (msg.progress) onProgress?.(msg.progress[0], msg.progress[1]);
      if (msg.model !== undefined) finish(null, msg.model);
    });
    wk.on('error', (err) =>
      finish(new Error(`${engine} training thread failed: ${err.message}`, { cause: err })),
    );
    wk.on('exit', (code) => finish(new Error(`${engine} training thread exited with code ${code}`)));
    // The Dataset's own fields only: a caller's richer object (a feature matrix with a string id per
    // row) would be cloned whole on this thread, seconds at a million rows.
    const { featureNames, categorical, columns, labels, nRows } = data;
    const job = {
      engine,
      data: { featureNames, categorical, columns, labels, nRows },
      params,
      classWeight: [...classWeight],
    };
    if (!helper) {
      wk.postMessage(job);
      return;
    }
    helper.on('error', (err) =>
      finish(new Error(`${engine} histogram thread failed: ${err.message}`, { cause: err })),
    );
    helper.on('exit', (code) => {
      if (code !== 0) finish(new Error(`${engine} histogram thread exited with code ${code}`));
    });
    const { port1, port2 } = new MessageChannel();
    helper.postMessage({ port: port2 }, [port2]);
    wk.postMessage({ ...job, helper: port1 }, [port1]);
  });
}
