import { describe, expect, it } from 'vitest';
import { expectedPurchases } from './bg-nbd.ts';
import {
  fitCustomerValue,
  predictCustomerValue,
  type SpendHistories,
  type ValueOptions,
} from './customer-value.ts';
import { expectedSpend } from './gamma-gamma.ts';
import { simulateBgNbd, simulateGammaGamma } from './simulate.ts';

const options: ValueOptions = {
  unit: 'week',
  horizonDays: 91,
  monthlyDiscount: 0.01,
  minRepeatBuyers: 50,
  maxSpendCorrelation: 0.3,
};

/** 4,000 customers in whole days (as the pipeline measures them), spend from Gamma-Gamma. */
function histories(n = 4_000): SpendHistories {
  const T = Float64Array.from({ length: n }, (_, i) => 7 * (27 + (i % 13)));
  const sim = simulateBgNbd({ r: 0.25, alpha: 28, a: 0.8, b: 2.5 }, T, 3);
  const tx = sim.tx.map(Math.floor);
  return { x: sim.x, tx, T, m: simulateGammaGamma({ p: 6, q: 4, gamma: 15 }, sim.x, 4) };
}

describe('fitCustomerValue + predictCustomerValue', () => {
  const h = histories();
  const model = fitCustomerValue(h, options);
  const pred = predictCustomerValue(model, h, options);

  it('fits both models in the declared unit and fills every figure', () => {
    expect(model.warnings).toEqual([]);
    expect(model.unit).toBe('week');
    // α is in weeks: about 28 days / 7.
    expect(model.bgNbd!.params.alpha).toBeGreaterThan(2.5);
    expect(model.bgNbd!.params.alpha).toBeLessThan(6);
    for (const col of Object.values(pred)) {
      expect(col).not.toBeNull();
      expect(col!.every(Number.isFinite)).toBe(true);
    }
  });

  it('CLV and revenue are the documented products (checked on one customer)', () => {
    const i = h.x.findIndex((x) => x >= 3);
    const p = model.bgNbd!.params;
    const [x, tx, T] = [h.x[i]!, h.tx[i]! / 7, h.T[i]! / 7];
    const spend = expectedSpend(model.gammaGamma!.params, x, h.m[i]!);
    const month = 365.25 / 12 / 7;
    let clv = 0;
    for (let k = 1; k <= 12; k++)
      clv +=
        (spend *
          (expectedPurchases(p, k * month, x, tx, T) - expectedPurchases(p, (k - 1) * month, x, tx, T))) /
        1.01 ** k;
    expect(pred.expectedSpend![i]).toBeCloseTo(spend, 10);
    expect(pred.expectedOrders![i]).toBeCloseTo(expectedPurchases(p, 13, x, tx, T), 10);
    expect(pred.expectedRevenue![i]).toBeCloseTo(spend * pred.expectedOrders![i]!, 10);
    expect(pred.clv12![i]).toBeCloseTo(clv, 8);
  });

  it('too few repeat buyers: a warning and no figures, never a column of NaN', () => {
    const few = histories(60);
    const m = fitCustomerValue(few, options);
    expect(m.bgNbd).toBeNull();
    expect(m.warnings[0]).toMatch(/repeat buyers of 60 customers, fewer than the 50 needed/);
    expect(Object.values(predictCustomerValue(m, few, options)).every((c) => c === null)).toBe(true);
  });

  it('spend that grows with frequency: the independence warning and no spend figures', () => {
    const skewed = { ...h, m: h.m.map((v, i) => v + 40 * h.x[i]!) };
    const m = fitCustomerValue(skewed, options);
    expect(m.warnings.join()).toMatch(/independence assumption fails/);
    const p = predictCustomerValue(m, skewed, options);
    expect(p.pAlive).not.toBeNull();
    expect(p.expectedSpend).toBeNull();
    expect(p.clv12).toBeNull();
  });
});
