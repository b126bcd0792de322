import { describe, expect, it } from 'vitest';
import { chooseCalibration } from './calibration/choose-calibrator.ts';
import { runComputeTask } from './compute-task.ts';
import {
  chooseCalibrationOffThread,
  evaluateBinaryOffThread,
  evaluateCalibratedOffThread,
  rankingOffThread,
} from './evaluate-off-thread.ts';
import { evaluateBinary } from './metrics.ts';
import { createRng } from './random.ts';

describe('evaluateBinaryOffThread', () => {
  it('gives the numbers of evaluateBinary, computed on a worker thread', async () => {
    const n = 30_000;
    const rng = createRng(7, 0);
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.next() < 0.2 ? 1 : 0;
      scores[i] = Math.min(1, rng.next() * 0.7 + labels[i]! * 0.3);
    }
    const rule = { rule: 'max-f1' } as const;
    expect(await evaluateBinaryOffThread(labels, scores, rule)).toEqual(evaluateBinary(labels, scores, rule));
  });
});

describe('computeOffThread', () => {
  it('fits and evaluates calibration on a worker thread with the numbers of the direct calls', async () => {
    const n = 40_000;
    const rng = createRng(8, 0);
    const labels = new Uint8Array(n);
    const raw = new Float64Array(n);
    const halves = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.next() < 0.15 ? 1 : 0;
      // Over-confident scores: calibration has something to correct.
      raw[i] = Math.min(0.999, Math.max(0.001, rng.next() * 0.5 + labels[i]! * 0.45));
      halves[i] = i % 2;
    }
    const fitted = await chooseCalibrationOffThread(raw, labels, halves);
    expect(fitted).toEqual(chooseCalibration(raw, labels, halves));
    expect(fitted.calibrator.method).not.toBe('none');
    const rule = { rule: 'max-f1' } as const;
    const off = await evaluateCalibratedOffThread(labels, raw, fitted.calibrator, halves, rule);
    expect(off).toEqual(
      runComputeTask({
        task: 'evaluateCalibrated',
        labels,
        raw,
        calibrator: fitted.calibrator,
        halves,
        rule,
      }),
    );
    // Ranking figures are the calibrated scores', which keep the raw order.
    expect(off.rocAuc).toBeCloseTo(evaluateBinary(labels, raw, rule).rocAuc, 9);
    const ranking = await rankingOffThread(labels, raw);
    expect(ranking.rocAuc).toBe(evaluateBinary(labels, raw, rule).rocAuc);
  });
});
