import { describe, expect, it } from 'vitest';
import { expectedSpend, fitGammaGamma, gammaGammaLogLik, gammaGammaLogLikGradient } from './gamma-gamma.ts';
import { simulateGammaGamma } from './simulate.ts';

describe('Gamma-Gamma', () => {
  // 20,000 repeat buyers with 1..10 repeat transactions; CDNOW-like truth p = 6, q = 4, γ = 15.
  const truth = { p: 6, q: 4, gamma: 15 };
  const x = Float64Array.from({ length: 20_000 }, (_, i) => 1 + (i % 10));
  const m = simulateGammaGamma(truth, x, 2);
  const fit = fitGammaGamma(x, m);

  it('recovers q within 10 %, p and γ within 20 %, and the population mean pγ/(q−1) within 3 %', () => {
    // p and γ trade off against each other (their product sets the mean spend): over seeds 2..5
    // this design gives p 5.40..6.05 and γ 14.7..17.2, so each alone is the least precise.
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.params.p / truth.p - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.params.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.gamma / truth.gamma - 1)).toBeLessThan(0.2);
    const mean = (g: typeof truth) => (g.p * g.gamma) / (g.q - 1);
    expect(Math.abs(mean(fit.params) / mean(truth) - 1)).toBeLessThan(0.03);
  });

  it('reaches a log-likelihood at least that of the true parameters', () => {
    expect(fit.logLik).toBeGreaterThanOrEqual(gammaGammaLogLik(truth, x, m) - 1e-6);
  });

  it('reports the frequency-spend correlation, about 0 when spend is independent of x', () => {
    expect(Math.abs(fit.frequencySpendCorrelation)).toBeLessThan(0.05);
  });

  it('expected spend per order, by hand', () => {
    // p(γ + m x)/(p x + q − 1) = 6·(15 + 50·2)/(6·2 + 4 − 1) = 690/15 = 46
    expect(expectedSpend(truth, 2, 50)).toBeCloseTo(46, 12);
    // x = 0: the population mean p γ/(q − 1) = 90/3 = 30
    expect(expectedSpend(truth, 0, 0)).toBeCloseTo(30, 12);
  });

  it('refuses customers without repeat purchases or with no positive spend', () => {
    expect(() => fitGammaGamma([0, 2], [10, 20])).toThrow(/customer 0 has x=0/);
  });
});

describe('gammaGammaLogLikGradient', () => {
  it('matches central differences of the log-likelihood in log space', () => {
    const x = Float64Array.from({ length: 300 }, (_, i) => 1 + (i % 7));
    const m = simulateGammaGamma({ p: 3, q: 5, gamma: 40 }, x, 9);
    const v = [Math.log(2.5), Math.log(4), Math.log(30)];
    const at = (w: number[]) => ({ p: Math.exp(w[0]!), q: Math.exp(w[1]!), gamma: Math.exp(w[2]!) });
    const { logLik, gradient } = gammaGammaLogLikGradient(at(v), x, m);
    expect(logLik).toBeCloseTo(gammaGammaLogLik(at(v), x, m), 8);
    for (let j = 0; j < 3; j++) {
      const up = v.map((a, k) => (k === j ? a + 1e-5 : a));
      const down = v.map((a, k) => (k === j ? a - 1e-5 : a));
      const numeric = (gammaGammaLogLik(at(up), x, m) - gammaGammaLogLik(at(down), x, m)) / 2e-5;
      expect(gradient[j]! / numeric).toBeCloseTo(1, 5);
    }
  });
});
