import { expectedPurchases } from './bg-nbd.ts';
import { unitDays, type ValueModel } from './customer-value.ts';
import { groupHistories, type Histories } from './histories.ts';

/** How the value model did on a window whose outcome is known (the validation window). */
export interface ValueEvaluation {
  customers: number;
  /** Mean absolute error of expected vs actual orders per customer in the window. */
  ordersMae: number;
  /** Totals over the customers: expected and actual orders in the window. */
  predictedOrders: number;
  actualOrders: number;
  /** Cumulative repeat transactions by week of the window: the classic tracking chart. */
  tracking: { week: number; predicted: number; actual: number }[];
  /** Customers in ten groups by predicted revenue (1 = highest): predicted vs actual revenue. */
  revenueDeciles: { decile: number; customers: number; predicted: number; actual: number }[] | null;
}

/**
 * Scores the predictions made at a cutoff against what happened after it. `histories` are in days
 * (as fitted), `actualWeekly[w]` = purchase days of these customers in week w of the window
 * (the last week may be shorter: it ends with the window, `windowDays` long).
 */
export function evaluateValue(
  model: ValueModel,
  histories: Histories,
  expectedOrders: Float64Array,
  actualOrders: ArrayLike<number>,
  actualWeekly: ArrayLike<number>,
  windowDays: number,
  revenue: { predicted: Float64Array; actual: ArrayLike<number> } | null,
): ValueEvaluation {
  const n = expectedOrders.length;
  let abs = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < n; i++) {
    abs += Math.abs(expectedOrders[i]! - actualOrders[i]!);
    predicted += expectedOrders[i]!;
    actual += actualOrders[i]!;
  }
  return {
    customers: n,
    ordersMae: n ? abs / n : 0,
    predictedOrders: predicted,
    actualOrders: actual,
    tracking: trackingCurve(model, histories, actualWeekly, windowDays),
    revenueDeciles: revenue && revenueByDecile(revenue.predicted, revenue.actual),
  };
}

function trackingCurve(
  model: ValueModel,
  histories: Histories,
  actualWeekly: ArrayLike<number>,
  windowDays: number,
): ValueEvaluation['tracking'] {
  const fit = model.bgNbd;
  if (!fit) return [];
  const d = unitDays[model.unit];
  const g = groupHistories({
    x: histories.x,
    tx: histories.tx.map((v) => v / d),
    T: histories.T.map((v) => v / d),
  });
  const out: ValueEvaluation['tracking'] = [];
  let cumActual = 0;
  for (let w = 1; w <= actualWeekly.length; w++) {
    let sum = 0;
    for (let k = 0; k < g.x.length; k++)
      sum +=
        g.count[k]! *
        expectedPurchases(fit.params, Math.min(7 * w, windowDays) / d, g.x[k]!, g.tx[k]!, g.T[k]!);
    cumActual += actualWeekly[w - 1]!;
    out.push({ week: w, predicted: sum, actual: cumActual });
  }
  return out;
}

function revenueByDecile(
  predicted: Float64Array,
  actual: ArrayLike<number>,
): ValueEvaluation['revenueDeciles'] {
  const n = predicted.length;
  // Highest predicted first; ties broken by position so the grouping is deterministic.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => predicted[b]! - predicted[a]! || a - b);
  const out = Array.from({ length: 10 }, (_, k) => ({
    decile: k + 1,
    customers: 0,
    predicted: 0,
    actual: 0,
  }));
  order.forEach((i, rank) => {
    const bucket = out[Math.min(9, Math.floor((rank * 10) / n))]!;
    bucket.customers++;
    bucket.predicted += predicted[i]!;
    bucket.actual += actual[i]!;
  });
  return out;
}
