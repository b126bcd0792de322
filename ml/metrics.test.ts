import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  brierScore,
  calibrationTable,
  chooseThreshold,
  evaluateBinary,
  liftTable,
  logLoss,
  metricsAt,
  prCurve,
  rocAuc,
  rocCurve,
} from './metrics.ts';
import { createRng } from './random.ts';

const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-9);
const closeAll = (a: number[], b: number[]): void => {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => close(v, b[i]!));
};

describe('hand-computed small case', () => {
  // Sorted by score: 0.9(+) 0.8(−) 0.7(+) 0.3(−) 0.2(+); P = 3, N = 2.
  const labels = [1, 0, 1, 0, 1];
  const scores = [0.9, 0.8, 0.7, 0.3, 0.2];

  it('ROC-AUC = share of correctly ordered (pos, neg) pairs', () => {
    // Pairs: 0.9>0.8, 0.9>0.3, 0.7>0.3 correct; 0.7<0.8, 0.2<0.8, 0.2<0.3 wrong → 3/6.
    expect(rocAuc(labels, scores)).toBeCloseTo(0.5, 15);
    expect(rocCurve(labels, scores).map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 1 / 3],
      [0.5, 1 / 3],
      [0.5, 2 / 3],
      [1, 2 / 3],
      [1, 1],
    ]);
  });

  it('average precision = Σ ΔR · P', () => {
    // (R, P) per threshold: (1/3, 1) (1/3, 1/2) (2/3, 2/3) (2/3, 1/2) (1, 3/5)
    // AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45.
    close(averagePrecision(labels, scores), 34 / 45);
    expect(prCurve(labels, scores).map((p) => p.recall)).toEqual([1 / 3, 1 / 3, 2 / 3, 2 / 3, 1]);
  });

  it('threshold metrics at 0.5', () => {
    // Predicted positive: 0.9, 0.8, 0.7 → tp 2, fp 1, tn 1, fn 1.
    const m = metricsAt(labels, scores, 0.5);
    expect(m.confusion).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    close(m.accuracy, 3 / 5);
    close(m.precision, 2 / 3);
    close(m.recall, 2 / 3);
    close(m.f1, 2 / 3); // 2·2 / (2·2 + 1 + 1)
  });

  it('log-loss and Brier', () => {
    // Brier: (0.1² + 0.8² + 0.3² + 0.3² + 0.8²) / 5 = 1.47 / 5.
    close(brierScore(labels, scores), 0.294);
    close(
      logLoss(labels, scores),
      -(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.7) + Math.log(0.2)) / 5,
    );
    // A confident miss is clipped at 1e-15, not infinite.
    close(logLoss([1], [0]), -Math.log(1e-15));
  });

  it('threshold rules', () => {
    // F1 by threshold: 0.9 → 2/4, 0.8 → 2/5, 0.7 → 4/6, 0.3 → 4/7, 0.2 → 6/8: best at 0.2.
    expect(chooseThreshold(labels, scores, { rule: 'max-f1' })).toBe(0.2);
    // 40 % of 5 rows = 2 → the 2nd highest score.
    expect(chooseThreshold(labels, scores, { rule: 'top-k', percent: 40 })).toBe(0.8);
    expect(chooseThreshold(labels, scores, { rule: 'fixed', value: 0.42 })).toBe(0.42);
  });

  it('ties count half in AUC', () => {
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1], [0.5, 0.4])).toBeNaN();
  });
});

describe('lift and calibration', () => {
  it('deciles of 20 rows', () => {
    // Scores descending with row index; positives at ranks 0, 1, 2, 10 → base rate 0.2.
    const scores = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
    const labels = scores.map((_, i) => ([0, 1, 2, 10].includes(i) ? 1 : 0));
    const t = liftTable(labels, scores);
    expect(t[0]).toEqual({ decile: 1, rows: 2, positives: 2, rate: 1, lift: 5, cumulativeCapture: 0.5 });
    expect(t[1]).toEqual({ decile: 2, rows: 2, positives: 1, rate: 0.5, lift: 2.5, cumulativeCapture: 0.75 });
    expect(t[5]?.cumulativeCapture).toBe(1);
  });

  it('calibration bins put a score on an edge in the lower bin', () => {
    const t = calibrationTable([0, 1, 0, 1, 1], [0.05, 0.1, 0.15, 0.95, 1]);
    expect(t[0]).toMatchObject({ count: 2, observedRate: 0.5 });
    close(t[0]!.meanPredicted, 0.075);
    expect(t[1]).toMatchObject({ count: 1, observedRate: 0 });
    expect(t[9]).toMatchObject({ count: 2, observedRate: 1, meanPredicted: 0.975 });
  });
});

interface SklearnCase {
  name: string;
  labels: number[];
  scores: number[];
  threshold: number;
  rocAuc: number;
  rocFpr: number[];
  rocTpr: number[];
  averagePrecision: number;
  prPrecision: number[];
  prRecall: number[];
  prThresholds: number[];
  logLoss: number;
  brier: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  calibrationTrue: number[];
  calibrationPred: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-metrics.json', import.meta.url), 'utf8'),
) as {
  cases: SklearnCase[];
};

describe.each(fixture.cases)('matches scikit-learn on $name', (c) => {
  it('ROC and PR', () => {
    close(rocAuc(c.labels, c.scores), c.rocAuc);
    const roc = rocCurve(c.labels, c.scores);
    closeAll(
      roc.map((p) => p.fpr),
      c.rocFpr,
    );
    closeAll(
      roc.map((p) => p.tpr),
      c.rocTpr,
    );
    close(averagePrecision(c.labels, c.scores), c.averagePrecision);
    const pr = prCurve(c.labels, c.scores);
    closeAll(
      pr.map((p) => p.precision),
      c.prPrecision,
    );
    closeAll(
      pr.map((p) => p.recall),
      c.prRecall,
    );
    closeAll(
      pr.map((p) => p.threshold),
      c.prThresholds,
    );
  });

  it('threshold metrics, log-loss, Brier, calibration', () => {
    const m = metricsAt(c.labels, c.scores, c.threshold);
    expect(m.confusion).toEqual(c.confusion);
    close(m.accuracy, c.accuracy);
    close(m.precision, c.precision);
    close(m.recall, c.recall);
    close(m.f1, c.f1);
    close(logLoss(c.labels, c.scores), c.logLoss);
    close(brierScore(c.labels, c.scores), c.brier);
    const cal = calibrationTable(c.labels, c.scores).filter((b) => b.count > 0);
    closeAll(
      cal.map((b) => b.observedRate),
      c.calibrationTrue,
    );
    closeAll(
      cal.map((b) => b.meanPredicted),
      c.calibrationPred,
    );
  });

  it('evaluateBinary bundles the same values and survives JSON', () => {
    const e = evaluateBinary(c.labels, c.scores, { rule: 'fixed', value: c.threshold });
    close(e.rocAuc, c.rocAuc);
    close(e.atThreshold.f1, c.f1);
    expect(e.lift).toHaveLength(10);
    expect(e.topDecileCapture).toBe(e.lift[0]!.cumulativeCapture);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});

describe('evaluateBinary ranks the rows once', () => {
  it('gives exactly the figures of the separate functions, curves thinned to 200 points from (0, 0) to the end', () => {
    const rng = createRng(12, 0);
    const n = 20_000;
    const labels = Uint8Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    // Ties (under 200 distinct values: curves kept whole) and all distinct (thinned).
    const tied = Float64Array.from(labels, (y) => Math.round((rng.next() * 0.6 + y * 0.3) * 100) / 100);
    const distinct = Float64Array.from(labels, (y) => rng.next() * 0.6 + y * 0.3);
    const thin = <T>(points: T[]): T[] =>
      points.length <= 200
        ? points
        : Array.from({ length: 200 }, (_, i) => points[Math.round((i * (points.length - 1)) / 199)]!);
    for (const scores of [tied, distinct]) {
      const rule = { rule: 'max-f1' } as const;
      const e = evaluateBinary(labels, scores, rule);
      expect(e.rocAuc).toBe(rocAuc(labels, scores));
      expect(e.averagePrecision).toBe(averagePrecision(labels, scores));
      expect(e.atThreshold).toEqual(metricsAt(labels, scores, chooseThreshold(labels, scores, rule)));
      expect(e.lift).toEqual(liftTable(labels, scores));
      expect(e.roc).toEqual(thin(rocCurve(labels, scores).map((p) => ({ fpr: p.fpr, tpr: p.tpr }))));
      expect(e.pr).toEqual(thin(prCurve(labels, scores)));
      expect(e.roc[0]).toEqual({ fpr: 0, tpr: 0 });
      expect(e.roc.at(-1)).toEqual({ fpr: 1, tpr: 1 });
    }
  });
});
