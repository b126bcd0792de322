import { Worker } from 'node:worker_threads';
import { AbortError } from '../abort-error.ts';
import type { Dataset } from '../dataset.ts';
import type { ForestParams, TrainOptions } from '../model.ts';
import { threadEntry } from './thread-entry.ts';

/**
 * Runs a single-threaded fit (logistic regression, gradient boosting) on a worker thread and hands back the model's
 * JSON: the worker's event loop, and with it BullMQ's job lock, stays free while it fits.
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
    const entry = threadEntry('fit-thread');
    const wk =
      entry.kind === 'eval'
        ? new Worker(entry.code, { eval: true })
        : new Worker(entry.url, { workerData: { __entry: entry.entry } });
    let settled = false;
    const finish = (err: Error | null, json?: string): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void wk.terminate();
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
    wk.postMessage({
      engine,
      data: { featureNames, categorical, columns, labels, nRows },
      params,
      classWeight: [...classWeight],
    });
  });
}
