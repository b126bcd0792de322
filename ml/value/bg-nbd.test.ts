import { describe, expect, it } from 'vitest';
import {
  bgNbdLogLik,
  bgNbdLogLikGradient,
  type BgNbdParams,
  expectedPurchases,
  fitBgNbd,
  medianTimeToNext,
  pAlive,
} from './bg-nbd.ts';
import { groupHistories } from './histories.ts';
import { simulateBgNbd } from './simulate.ts';

/** The paper's CDNOW estimates (weeks): r = 0.243, α = 4.414, a = 0.793, b = 2.426. */
const cdnow: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('P(alive) and E[Y(t) | x, tx, T], checked by hand', () => {
  // Reference values: the paper's equations (10) and (13) as printed, evaluated with mpmath at 30
  // digits (its hyp2f1 on the untransformed 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))), CDNOW parameters.
  //   x  tx     T      P(alive)             E[Y(39)]             E[Y(500)]
  //   0  0      38.86  1                    0.195098052011263    1.42810360661098
  //   2  30.43  38.86  0.726578570080673    1.22602817476714     7.16848420693927
  //   1  2      38.86  0.221870900564815    0.212546300651201    1.33773862402289
  //   15 37     38.86  0.913814583721718    9.80324298125208     49.3249795815754
  //   40 20     38.86  5.17688935149134e-9  1.44581491459097e-7  7.10434343804549e-7
  // Worked by hand for x = 1, tx = 2, T = 38.86:
  //   a/(b+x−1) = 0.793/2.426 = 0.326876; (α+T)/(α+tx) = 43.274/6.414 = 6.746804;
  //   ln(6.746804)·(r+x) = 1.909070·1.243 = 2.372974; e^2.372974 = 10.72899;
  //   P(alive) = 1/(1 + 0.326876·10.72899) = 1/4.507054 = 0.221871.
  const table: [number, number, number, number, number, number][] = [
    [0, 0, 38.86, 1, 0.195098052011263, 1.42810360661098],
    [2, 30.43, 38.86, 0.726578570080673, 1.22602817476714, 7.16848420693927],
    [1, 2, 38.86, 0.221870900564815, 0.212546300651201, 1.33773862402289],
    [15, 37, 38.86, 0.913814583721718, 9.80324298125208, 49.3249795815754],
    [40, 20, 38.86, 5.17688935149134e-9, 1.44581491459097e-7, 7.10434343804549e-7],
  ];
  it.each(table)('x=%d tx=%d T=%d', (x, tx, T, alive, e39, e500) => {
    expect(pAlive(cdnow, x, tx, T) / alive).toBeCloseTo(1, 10);
    expect(expectedPurchases(cdnow, 39, x, tx, T) / e39).toBeCloseTo(1, 10);
    expect(expectedPurchases(cdnow, 500, x, tx, T) / e500).toBeCloseTo(1, 9);
  });

  it("gives the paper's worked example: 1.226 purchases in the next 39 weeks for x=2, tx=30.43, T=38.86", () => {
    expect(expectedPurchases(cdnow, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it('has no singularity at a = 1 (the (a−1) cancels analytically)', () => {
    // mpmath, a = 1 + 1e-20 and the other CDNOW parameters: E[Y(39) | 3, 20, 30] = 1.63390577460868
    for (const a of [1, 1 + 1e-12, 1 - 1e-9])
      expect(expectedPurchases({ ...cdnow, a }, 39, 3, 20, 30)).toBeCloseTo(1.63390577460868, 7);
  });

  it('stays finite for heavy buyers and long horizons', () => {
    const e = expectedPurchases(cdnow, 5_000, 900, 1_000, 1_001);
    expect(Number.isFinite(e) && e > 0).toBe(true);
    const h = groupHistories({
      x: Float64Array.of(900),
      tx: Float64Array.of(1_000),
      T: Float64Array.of(1_001),
    });
    expect(Number.isFinite(bgNbdLogLik(cdnow, h))).toBe(true);
  });

  it('stays exact when drop-out is tightly identified (a large, where the transformed series overflows)', () => {
    // A fit on 100 k generated customers; references from mpmath (50 digits) of equation (10) as written.
    const tight = {
      r: 0.9602608881505145,
      alpha: 29.45574038775945,
      a: 3173.125228254994,
      b: 3732326.349096556,
    };
    expect(expectedPurchases(tight, 90, 0, 0, 64)).toBeCloseTo(0.9240121823458933, 9);
    expect(expectedPurchases(tight, 90, 1, 67, 97)).toBeCloseTo(1.391880588544831, 9);
    expect(expectedPurchases(tight, 365, 12, 300, 700)).toBeCloseTo(0.245687631057385, 9);
  });

  it('median wait to the next order of an active customer: half the Lomax mass', () => {
    const s = medianTimeToNext(cdnow, 2, 38.86);
    expect(Math.pow((cdnow.alpha + 38.86) / (cdnow.alpha + 38.86 + s), cdnow.r + 2)).toBeCloseTo(0.5, 12);
  });
});

describe('fitBgNbd', () => {
  // 20,000 customers, first purchases spread over 12 weeks, observed to week 39 (as the paper's CDNOW cohort).
  const truth: BgNbdParams = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const T = Float64Array.from({ length: 20_000 }, (_, i) => 27 + (i % 13));
  const sim = simulateBgNbd(truth, T, 1, 39);
  const fit = fitBgNbd(sim);

  it('recovers r, α within 10 % and a, b within 20 % (a and b are the least precise, as in the paper)', () => {
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.params.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.a / truth.a - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.params.b / truth.b - 1)).toBeLessThan(0.2);
  });

  it('reaches a log-likelihood at least that of the true parameters', () => {
    const h = groupHistories(sim);
    expect(fit.logLik).toBeGreaterThanOrEqual(bgNbdLogLik(truth, h) - 1e-6);
    expect(fit.logLik).toBeCloseTo(bgNbdLogLik(fit.params, h), 6);
  });

  it('predicts the holdout: mean expected purchases in the next 39 weeks within 3 % of the simulated ones', () => {
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < T.length; i++) {
      predicted += expectedPurchases(fit.params, 39, sim.x[i]!, sim.tx[i]!, sim.T[i]!);
      actual += sim.future[i]!;
    }
    expect(Math.abs(predicted / actual - 1)).toBeLessThan(0.03);
  });

  it('is deterministic', () => {
    const few = { x: sim.x.subarray(0, 2_000), tx: sim.tx.subarray(0, 2_000), T: sim.T.subarray(0, 2_000) };
    expect(fitBgNbd(few).params).toEqual(fitBgNbd(few).params);
  });
});

describe('bgNbdLogLikGradient', () => {
  it('matches central differences of the log-likelihood in log space', () => {
    const sim = simulateBgNbd(
      cdnow,
      Float64Array.from({ length: 500 }, (_, i) => 20 + (i % 20)),
      5,
    );
    const h = groupHistories(sim);
    const v = [Math.log(0.3), Math.log(5), Math.log(0.7), Math.log(2)];
    const at = (w: number[]) => ({
      r: Math.exp(w[0]!),
      alpha: Math.exp(w[1]!),
      a: Math.exp(w[2]!),
      b: Math.exp(w[3]!),
    });
    const { logLik, gradient } = bgNbdLogLikGradient(at(v), h);
    expect(logLik).toBeCloseTo(bgNbdLogLik(at(v), h), 8);
    for (let j = 0; j < 4; j++) {
      const up = v.map((x, k) => (k === j ? x + 1e-5 : x));
      const down = v.map((x, k) => (k === j ? x - 1e-5 : x));
      const numeric = (bgNbdLogLik(at(up), h) - bgNbdLogLik(at(down), h)) / 2e-5;
      expect(gradient[j]! / numeric).toBeCloseTo(1, 5);
    }
  });
});
