import { computeOffThread } from '../evaluate-off-thread.ts';
import type { SpendHistories, ValueFit, ValueOptions } from './customer-value.ts';
import type { ValueEvaluation } from './value-evaluation.ts';

/**
 * fitAndPredictValue on a worker thread (the compute-task threads): BG/NBD and Gamma-Gamma fits
 * plus every customer's figures take minutes at a million customers, which on a worker's main
 * thread would starve BullMQ's lock renewal. The histories go in as copies (transferred), the
 * model and the per-customer arrays come back transferred; same numbers as the direct call.
 */
export function fitAndPredictValueOffThread(h: SpendHistories, options: ValueOptions): Promise<ValueFit> {
  return computeOffThread({ task: 'customerValue', x: h.x, tx: h.tx, T: h.T, m: h.m, options });
}

/**
 * evaluateValue on a worker thread (it regroups every customer's history): the fit's figures
 * against what each customer bought in the window, `actualWeekly[w]` the purchase days of week w.
 */
export function evaluateValueOffThread(
  fit: ValueFit,
  h: SpendHistories,
  actual: { orders: Float64Array; weekly: Float64Array; revenue: Float64Array },
  windowDays: number,
): Promise<ValueEvaluation> {
  return computeOffThread({
    task: 'valueEvaluation',
    fit,
    x: h.x,
    tx: h.tx,
    T: h.T,
    actualOrders: actual.orders,
    actualWeekly: actual.weekly,
    actualRevenue: actual.revenue,
    windowDays,
  });
}
