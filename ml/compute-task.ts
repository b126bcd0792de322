import { calibrateAndEvaluate, type CalibratedEvaluation } from './calibration/calibrate-and-evaluate.ts';
import { applyCalibratorAll, type Calibrator } from './calibration/calibrator.ts';
import {
  chooseCalibration,
  crossCalibrated,
  type FittedCalibration,
} from './calibration/choose-calibrator.ts';
import {
  averagePrecision,
  type BinaryEvaluation,
  brierScore,
  calibrationTable,
  evaluateBinary,
  logLoss,
  rocAuc,
  type ThresholdRule,
} from './metrics.ts';
import { fitAndPredictValue, type ValueFit, type ValueOptions } from './value/customer-value.ts';
import { evaluateValue, type ValueEvaluation } from './value/value-evaluation.ts';

/**
 * The heavy pure computations over every validation row (sorts, curves, calibration fits), as
 * messages a metrics thread runs: the same functions, on copies of the same arrays.
 */
export type ComputeTask =
  | { task: 'evaluate'; labels: Uint8Array; scores: Float64Array; rule: ThresholdRule }
  | { task: 'calibrate'; labels: Uint8Array; scores: Float64Array; halves: Uint8Array }
  /** calibrate, then evaluateCalibrated on the same rows (calibration/calibrate-and-evaluate.ts). */
  | {
      task: 'calibrateEvaluate';
      labels: Uint8Array;
      raw: Float64Array;
      halves: Uint8Array;
      rule: ThresholdRule;
    }
  | {
      task: 'evaluateCalibrated';
      labels: Uint8Array;
      /** The base model's scores; the calibrator is applied here. */
      raw: Float64Array;
      calibrator: Calibrator;
      /** Halves of the calibration rows' cross-check: probability figures from the other half's calibrator. */
      halves: Uint8Array | null;
      rule: ThresholdRule;
    }
  | { task: 'ranking'; labels: Uint8Array; scores: Float64Array }
  /** Customer value: BG/NBD + Gamma-Gamma fits on every customer's history, then each customer's figures. */
  | {
      task: 'customerValue';
      x: Float64Array;
      tx: Float64Array;
      T: Float64Array;
      m: Float64Array;
      options: ValueOptions;
    }
  /** A customer-value fit scored against its validation window (see ml/value/value-evaluation.ts). */
  | {
      task: 'valueEvaluation';
      fit: ValueFit;
      x: Float64Array;
      tx: Float64Array;
      T: Float64Array;
      actualOrders: Float64Array;
      actualWeekly: Float64Array;
      actualRevenue: Float64Array;
      windowDays: number;
    };

export interface Ranking {
  rocAuc: number;
  averagePrecision: number;
}

export interface ComputeResult {
  evaluate: BinaryEvaluation;
  calibrate: FittedCalibration;
  calibrateEvaluate: CalibratedEvaluation;
  evaluateCalibrated: BinaryEvaluation;
  ranking: Ranking;
  customerValue: ValueFit;
  valueEvaluation: ValueEvaluation;
}

/** How many rows a task covers: below a threshold it runs inline (a thread would cost more). */
export function computeTaskRows(t: ComputeTask): number {
  return 'labels' in t ? t.labels.length : t.x.length;
}

/** The typed arrays of a result, to transfer back rather than copy (the per-customer figures). */
export function resultTransfer(result: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) out.add(v.buffer);
    } else if (v && typeof v === 'object' && depth < 3) for (const w of Object.values(v)) visit(w, depth + 1);
  };
  visit(result, 0);
  return [...out];
}

export function runComputeTask<T extends ComputeTask>(t: T): ComputeResult[T['task']] {
  return run(t) as ComputeResult[T['task']];
}

function run(t: ComputeTask): ComputeResult[keyof ComputeResult] {
  switch (t.task) {
    case 'evaluate':
      return evaluateBinary(t.labels, t.scores, t.rule);
    case 'calibrate':
      return chooseCalibration(t.scores, t.labels, t.halves);
    case 'calibrateEvaluate':
      return calibrateAndEvaluate(t.labels, t.raw, t.halves, t.rule);
    case 'ranking':
      return { rocAuc: rocAuc(t.labels, t.scores), averagePrecision: averagePrecision(t.labels, t.scores) };
    case 'evaluateCalibrated':
      return evaluateCalibratedScores(t.labels, t.raw, t.calibrator, t.halves, t.rule);
    case 'customerValue':
      return fitAndPredictValue({ x: t.x, tx: t.tx, T: t.T, m: t.m }, t.options);
    case 'valueEvaluation': {
      const { model, pred } = t.fit;
      if (!pred.expectedOrders) throw new Error('valueEvaluation needs a fit with expected orders');
      const spend = pred.expectedRevenue
        ? { predicted: pred.expectedRevenue, actual: t.actualRevenue }
        : null;
      const h = { x: t.x, tx: t.tx, T: t.T };
      return evaluateValue(
        model,
        h,
        pred.expectedOrders,
        t.actualOrders,
        t.actualWeekly,
        t.windowDays,
        spend,
      );
    }
  }
}

/**
 * Every metric of calibrated scores. With the calibration rows' halves, the probability figures
 * (log-loss, Brier, the calibration table) come from scores each calibrated by the calibrator of
 * the other half: rows the calibrator did not see. Ranking figures are the published scores'.
 */
function evaluateCalibratedScores(
  labels: Uint8Array,
  raw: Float64Array,
  calibrator: Calibrator,
  halves: Uint8Array | null,
  rule: ThresholdRule,
): BinaryEvaluation {
  const evaluation = evaluateBinary(labels, applyCalibratorAll(calibrator, raw), rule);
  if (!halves || calibrator.method === 'none') return evaluation;
  const honest = crossCalibrated(calibrator.method, raw, labels, halves);
  return {
    ...evaluation,
    logLoss: logLoss(labels, honest),
    brier: brierScore(labels, honest),
    calibration: calibrationTable(labels, honest),
  };
}
