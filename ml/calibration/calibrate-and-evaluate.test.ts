import { describe, expect, it } from 'vitest';
import { runComputeTask } from '../compute-task.ts';
import { calibrateAndEvaluateOffThread } from '../evaluate-off-thread.ts';
import { createRng } from '../random.ts';
import { calibrateAndEvaluate } from './calibrate-and-evaluate.ts';
import { applyCalibratorAll, type Calibrator, fitIsotonic } from './calibrator.ts';
import { chooseCalibration, chooseCalibrationOutOfFold, crossCalibrated } from './choose-calibrator.ts';

/** The isotonic fit it replaces: the rows sorted by a comparator, then the same pool-adjacent-violators. */
function referenceIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  const order = Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => (scores[i] as number) === (scores[i] as number))
    .sort((i, j) => (scores[i] as number) - (scores[j] as number) || i - j);
  const sum: number[] = [];
  const cnt: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const i of order) {
    const v = scores[i] as number;
    const y = labels[i] === 1 ? 1 : 0;
    if (hi.length && hi[hi.length - 1] === v) {
      sum[sum.length - 1]! += y;
      cnt[cnt.length - 1]! += 1;
    } else {
      sum.push(y);
      cnt.push(1);
      lo.push(v);
      hi.push(v);
    }
    while (sum.length > 1) {
      const k = sum.length - 1;
      if (sum[k - 1]! / cnt[k - 1]! < sum[k]! / cnt[k]!) break;
      sum[k - 1]! += sum[k]!;
      cnt[k - 1]! += cnt[k]!;
      hi[k - 1] = hi[k]!;
      sum.pop();
      cnt.pop();
      lo.pop();
      hi.pop();
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  sum.forEach((s, k) => {
    x.push(lo[k]!);
    y.push(s / cnt[k]!);
    if (hi[k]! > lo[k]!) {
      x.push(hi[k]!);
      y.push(s / cnt[k]!);
    }
  });
  return { method: 'isotonic', x, y };
}

/** Over-confident scores with ties (a forest's leaves), a few NaN and signed zeros. */
function rows(n: number, seed: number, opts: { ties?: number; nan?: boolean } = {}) {
  const rng = createRng(seed, 0);
  const labels = new Uint8Array(n);
  const raw = new Float64Array(n);
  const halves = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < 0.2 ? 1 : 0;
    const p = Math.min(0.999, rng.next() * 0.5 + labels[i]! * 0.45);
    raw[i] = opts.ties ? Math.round(p * opts.ties) / opts.ties : p;
    if (opts.nan && i % 97 === 5) raw[i] = NaN;
    if (opts.ties && raw[i] === 0 && i % 2 === 0) raw[i] = -0;
    halves[i] = rng.next() < 0.5 ? 0 : 1;
  }
  return { labels, raw, halves };
}

describe('isotonic fits on one ranking of the rows', () => {
  it('fitIsotonic equals the comparator-sorted fit on ties, NaN and signed zeros', () => {
    for (const opts of [{}, { ties: 50 }, { ties: 7, nan: true }, { nan: true }]) {
      const { labels, raw } = rows(20_000, 3, opts);
      expect(fitIsotonic(raw, labels)).toEqual(referenceIsotonic(raw, labels));
    }
  });

  it('crossCalibrated with the ranking of all rows equals each half fit on its own', () => {
    const { labels, raw, halves } = rows(20_000, 4, { ties: 30 });
    const expected = new Float64Array(raw.length);
    for (const h of [0, 1]) {
      const fit = [...raw.keys()].filter((i) => halves[i] !== h);
      const c = referenceIsotonic(
        fit.map((i) => raw[i]!),
        fit.map((i) => labels[i]!),
      );
      raw.forEach((v, i) => {
        if (halves[i] === h) expected[i] = applyCalibratorAll(c, [v])[0]!;
      });
    }
    expect(crossCalibrated('isotonic', raw, labels, halves)).toEqual(expected);
  });
});

describe('calibrateAndEvaluate', () => {
  const rule = { rule: 'max-f1' } as const;

  it('gives chooseCalibration, the calibrated scores and evaluateCalibrated figures of the separate calls', async () => {
    // Isotonic chosen (many rows, ties); Platt only (under 1,000 rows); nothing (under 100 rows).
    const cases = [rows(30_000, 5, { ties: 40 }), rows(30_000, 6), rows(600, 7), rows(80, 8)];
    const methods = new Set<string>();
    for (const { labels, raw, halves } of cases) {
      const fitted = chooseCalibration(raw, labels, halves);
      methods.add(fitted.calibrator.method);
      const evaluation = runComputeTask({
        task: 'evaluateCalibrated',
        labels,
        raw,
        calibrator: fitted.calibrator,
        halves,
        rule,
      });
      const { calibrateMs, ...got } = calibrateAndEvaluate(labels, raw, halves, rule);
      expect(calibrateMs).toBeGreaterThanOrEqual(0);
      expect(got).toEqual({ ...fitted, evaluation, calibrated: applyCalibratorAll(fitted.calibrator, raw) });
      const { calibrateMs: _, ...off } = await calibrateAndEvaluateOffThread(raw, labels, halves, rule);
      expect(off).toEqual(got);
    }
    expect([...methods].sort()).toEqual(['isotonic', 'none', 'platt']);
  });

  it("hands back the chosen method's out-of-fold scores, null when nothing is calibrated", () => {
    const { labels, raw, halves } = rows(30_000, 9);
    const { fitted, outOfFold } = chooseCalibrationOutOfFold(raw, labels, halves);
    expect(fitted.calibrator.method).not.toBe('none');
    expect(outOfFold).toEqual(crossCalibrated(fitted.calibrator.method, raw, labels, halves));
    const small = rows(80, 10);
    expect(chooseCalibrationOutOfFold(small.raw, small.labels, small.halves).outOfFold).toBeNull();
  });
});
