import { describe, expect, it } from 'vitest';
import { selectRows } from '../dataset.ts';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { loadModel, trainModel } from '../engine.ts';
import { rocAuc } from '../metrics.ts';
import { createRng } from '../random.ts';
import { CalibratedModel } from './calibrated-model.ts';
import { applyCalibratorAll, fitIsotonic, fitPlatt } from './calibrator.ts';
import { chooseCalibration } from './choose-calibrator.ts';
import { expectedCalibrationError } from './ece.ts';
import { calibrate } from './train-calibrated.ts';

/** Later rows where buyers became rarer: keeps every negative and 1 positive in 3 (base rate ~15 % → ~5.5 %). */
function shifted(seed: number, nRows: number) {
  const d = makeSynthetic({ nRows, seed });
  const rng = createRng(seed, 9);
  const keep: number[] = [];
  for (let i = 0; i < d.nRows; i++) if (d.labels[i] === 0 || rng.next() < 1 / 3) keep.push(i);
  return selectRows(d, keep);
}

describe('calibration', () => {
  it('improves ECE on a deliberately shifted data set, measured on rows the calibrator did not see', async () => {
    const train = makeSynthetic({ nRows: 4_000, seed: 1 });
    const later = shifted(2, 12_000);
    const ids = Array.from({ length: later.nRows }, (_, i) => `r${i}`);
    const half = Array.from({ length: later.nRows }, (_, i) => i);
    const calIdx = half.filter((i) => i % 2 === 0);
    const testIdx = half.filter((i) => i % 2 === 1);
    const model = await trainModel(train, { nTrees: 40, seed: 3 }, { threads: 1 });
    const calibrated = await calibrate(
      model,
      { data: selectRows(later, calIdx), ids: calIdx.map((i) => ids[i]!) },
      3,
    );
    const test = selectRows(later, testIdx);
    const before = model.predictProba(test.columns);
    const after = calibrated.predictProba(test.columns);
    const eceBefore = expectedCalibrationError(test.labels, before);
    const eceAfter = expectedCalibrationError(test.labels, after);
    expect(eceBefore).toBeGreaterThan(0.05);
    expect(eceAfter).toBeLessThan(eceBefore / 2);
    expect(eceAfter).toBeLessThan(0.03);
    // The order is the model's: ranking figures do not move.
    expect(rocAuc(test.labels, after)).toBeCloseTo(rocAuc(test.labels, before), 12);
    expect(calibrated.report.eceAfter).toBeLessThan(calibrated.report.eceBefore);
    // Stored with the model: a round trip scores the same.
    const back = loadModel(calibrated.serialize());
    expect(back).toBeInstanceOf(CalibratedModel);
    expect(Array.from(back.predictProba(test.columns))).toEqual(Array.from(after));
    // Reasons still add up to the published score from the published base (top-k of all features = all).
    const ex = calibrated.explainTop(
      test.columns.map((c) => c.subarray(0, 5)),
      train.featureNames.length,
    );
    ex.top.forEach((row, r) =>
      expect(ex.base + row.reduce((s, t) => s + t.contribution, 0)).toBeCloseTo(after[r]!, 9),
    );
  });

  it('Platt recovers a known logistic distortion; isotonic is monotone; tiny data is left alone', () => {
    const rng = createRng(4, 1);
    const n = 20_000;
    const raw = Float64Array.from({ length: n }, () => rng.next() * 0.98 + 0.01);
    // True probability sigmoid(0.5·logit(p) − 1): an over-confident, too-high model.
    const labels = Uint8Array.from(raw, (p) => {
      const z = 0.5 * Math.log(p / (1 - p)) - 1;
      return rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    });
    const platt = fitPlatt(raw, labels);
    expect(platt.method).toBe('platt');
    if (platt.method === 'platt') {
      expect(platt.a).toBeCloseTo(0.5, 1);
      expect(platt.b).toBeCloseTo(-1, 1);
    }
    const iso = applyCalibratorAll(fitIsotonic(raw, labels), raw);
    const order = Array.from(raw.keys()).sort((i, j) => raw[i]! - raw[j]!);
    for (let k = 1; k < n; k++) expect(iso[order[k]!]!).toBeGreaterThan(iso[order[k - 1]!]!);
    const small = chooseCalibration(raw.subarray(0, 60), labels.subarray(0, 60), new Uint8Array(60));
    expect(small.calibrator.method).toBe('none');
    expect(small.report.why).toContain('too few rows');
  });
});
