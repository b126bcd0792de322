import { Worker } from 'node:worker_threads';
import { threadEntry } from './forest/thread-entry.ts';
import { type BinaryEvaluation, evaluateBinary, type ThresholdRule } from './metrics.ts';

/** Below this many rows the metrics take milliseconds: a thread would cost more than it saves. */
const MIN_ROWS_OFF_THREAD = 20_000;

/**
 * evaluateBinary on a worker thread: its sorts, curves and tables take seconds at a million
 * validation rows, which on a worker's main thread would starve BullMQ's lock renewal. Same
 * numbers as the direct call (the same function on copies of the same arrays).
 */
export async function evaluateBinaryOffThread(
  labels: Uint8Array,
  scores: Float64Array,
  rule: ThresholdRule,
): Promise<BinaryEvaluation> {
  if (labels.length < MIN_ROWS_OFF_THREAD) return evaluateBinary(labels, scores, rule);
  const entry = threadEntry('metrics-thread');
  const wk =
    entry.kind === 'eval'
      ? new Worker(entry.code, { eval: true })
      : new Worker(entry.url, { workerData: { __entry: entry.entry } });
  try {
    const result = new Promise<BinaryEvaluation>((resolve, reject) => {
      wk.once('message', resolve);
      wk.once('error', (err) => reject(new Error(`metrics thread failed: ${err.message}`, { cause: err })));
      wk.once('exit', (code) => reject(new Error(`metrics thread exited with code ${code}`)));
    });
    const l = labels.slice();
    const s = scores.slice();
    wk.postMessage({ labels: l, scores: s, rule }, [l.buffer as ArrayBuffer, s.buffer as ArrayBuffer]);
    return await result;
  } finally {
    void wk.terminate();
  }
}
