import { describe, expect, it } from 'vitest';
import { fitCustomerValue, predictCustomerValue, type ValueOptions } from './customer-value.ts';
import { simulateBgNbd, simulateGammaGamma } from './simulate.ts';
import { evaluateValue } from './value-evaluation.ts';

const options: ValueOptions = {
  unit: 'week',
  horizonDays: 91,
  monthlyDiscount: 0,
  minRepeatBuyers: 50,
  maxSpendCorrelation: 0.3,
};

describe('evaluateValue', () => {
  it('MAE, tracking and deciles of a simulated holdout: the model tracks its own data', () => {
    const T = Float64Array.from({ length: 3_000 }, (_, i) => 7 * (27 + (i % 13)));
    const sim = simulateBgNbd({ r: 0.25, alpha: 28, a: 0.8, b: 2.5 }, T, 3, 91);
    const h = { x: sim.x, tx: sim.tx, T, m: simulateGammaGamma({ p: 6, q: 4, gamma: 15 }, sim.x, 4) };
    const model = fitCustomerValue(h, options);
    const pred = predictCustomerValue(model, h, options);
    // The holdout's purchases spread evenly over its 13 weeks is enough for the shape of the check.
    const total = sim.future.reduce((s, v) => s + v, 0);
    const weekly = Array.from({ length: 13 }, () => total / 13);
    const spend = pred.expectedSpend!;
    const actualRevenue = sim.future.map((f, i) => f * spend[i]!);
    const ev = evaluateValue(model, h, pred.expectedOrders!, sim.future, weekly, 91, {
      predicted: pred.expectedRevenue!,
      actual: actualRevenue,
    });
    expect(ev.customers).toBe(3_000);
    // MAE by hand on the first customers would repeat the code; its bounds: at most the mean of |a| + |b|.
    expect(ev.ordersMae).toBeGreaterThan(0);
    expect(ev.ordersMae).toBeLessThan((ev.predictedOrders + ev.actualOrders) / 3_000);
    expect(Math.abs(ev.predictedOrders / ev.actualOrders - 1)).toBeLessThan(0.1);
    expect(ev.tracking).toHaveLength(13);
    expect(ev.tracking[12]!.predicted).toBeCloseTo(ev.predictedOrders, 6);
    expect(ev.tracking[12]!.actual).toBeCloseTo(total, 6);
    const deciles = ev.revenueDeciles!;
    expect(deciles.map((d) => d.customers)).toEqual(Array(10).fill(300));
    // Predicted revenue falls by decile, and the actual revenue follows it.
    expect(deciles[0]!.predicted).toBeGreaterThan(deciles[9]!.predicted);
    expect(deciles[0]!.actual).toBeGreaterThan(deciles[9]!.actual);
  });
});
