import type { CalibratedEvaluation } from './calibration/calibrate-and-evaluate.ts';
import type { Calibrator } from './calibration/calibrator.ts';
import type { FittedCalibration } from './calibration/choose-calibrator.ts';
import {
  type ComputeResult,
  type ComputeTask,
  computeTaskRows,
  type Ranking,
  runComputeTask,
} from './compute-task.ts';
import { startThread, threadEntry } from './forest/thread-entry.ts';
import type { BinaryEvaluation, ThresholdRule } from './metrics.ts';

/** Below this many rows the metrics take milliseconds: a thread would cost more than it saves. */
const MIN_ROWS_OFF_THREAD = 20_000;

/**
 * One compute task on a worker thread: sorts, curves and calibration fits take seconds at a
 * million validation rows, which on a worker's main thread would starve BullMQ's lock renewal.
 * Same numbers as the direct call (the same function on copies of the same arrays, transferred).
 */
export async function computeOffThread<T extends ComputeTask>(t: T): Promise<ComputeResult[T['task']]> {
  if (computeTaskRows(t) < MIN_ROWS_OFF_THREAD) return runComputeTask(t);
  const copy = { ...t } as Record<string, unknown>;
  const transfer: ArrayBuffer[] = [];
  for (const [key, v] of Object.entries(t)) {
    if (v instanceof Uint8Array || v instanceof Float64Array) {
      const c = v.slice();
      copy[key] = c;
      transfer.push(c.buffer as ArrayBuffer);
    }
  }
  const entry = threadEntry('metrics-thread');
  const wk = startThread(entry);
  try {
    const result = new Promise<ComputeResult[T['task']]>((resolve, reject) => {
      wk.once('message', resolve);
      wk.once('error', (err) =>
        reject(new Error(`metrics thread (${t.task}) failed: ${err.message}`, { cause: err })),
      );
      wk.once('exit', (code) => reject(new Error(`metrics thread (${t.task}) exited with code ${code}`)));
    });
    wk.postMessage(copy, transfer);
    return await result;
  } finally {
    void wk.terminate();
  }
}

/** evaluateBinary on a worker thread. */
export function evaluateBinaryOffThread(
  labels: Uint8Array,
  scores: Float64Array,
  rule: ThresholdRule,
): Promise<BinaryEvaluation> {
  return computeOffThread({ task: 'evaluate', labels, scores, rule });
}

/** chooseCalibration on a worker thread (its isotonic fits sort every calibration row). */
export function chooseCalibrationOffThread(
  scores: Float64Array,
  labels: Uint8Array,
  halves: Uint8Array,
): Promise<FittedCalibration> {
  return computeOffThread({ task: 'calibrate', labels, scores, halves });
}

/** chooseCalibration and every metric of the calibrated scores on the same rows, on one worker thread. */
export function calibrateAndEvaluateOffThread(
  raw: Float64Array,
  labels: Uint8Array,
  halves: Uint8Array,
  rule: ThresholdRule,
): Promise<CalibratedEvaluation> {
  return computeOffThread({ task: 'calibrateEvaluate', labels, raw, halves, rule });
}

/** Every metric of the calibrated scores from the base model's raw scores (see compute-task.ts). */
export function evaluateCalibratedOffThread(
  labels: Uint8Array,
  raw: Float64Array,
  calibrator: Calibrator,
  halves: Uint8Array | null,
  rule: ThresholdRule,
): Promise<BinaryEvaluation> {
  return computeOffThread({ task: 'evaluateCalibrated', labels, raw, calibrator, halves, rule });
}

/** ROC-AUC and average precision on a worker thread. */
export function rankingOffThread(labels: Uint8Array, scores: Float64Array): Promise<Ranking> {
  return computeOffThread({ task: 'ranking', labels, scores });
}
