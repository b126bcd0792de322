import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../config/pipeline.ts';
import { evaluateCalibrated } from '../../ml/calibration/evaluate-calibrated.ts';
import { trainCalibrated } from '../../ml/calibration/train-calibrated.ts';
import { makeSynthetic } from '../../ml/datasets/synthetic.ts';
import { rocAuc } from '../../ml/metrics.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { fitBlendCandidate } from './fit-blend.ts';
import { AUTO_ENGINES, fitCandidates } from './fit-candidates.ts';
import { headlineMetrics } from './headline-metrics.ts';

const matrix = (nRows: number, seed: number, prefix: string): FeatureMatrix => ({
  ...makeSynthetic({ nRows, seed }),
  ids: Array.from({ length: nRows }, (_, i) => `${prefix}${i}`),
});

describe('engine auto', () => {
  it('fits every candidate, records each validation figure, and keeps the best', async () => {
    const pipeline = parsePipeline(
      {
        name: 'auto',
        mode: 'labeled',
        sources: [{ kind: 'file', path: 'x.csv' }],
        columns: { label: { column: 'y' } },
        model: { nTrees: 30, seed: 4 },
      },
      'test',
    );
    expect(pipeline.model.engine).toBe('auto');
    const train = matrix(3_000, 1, 't');
    const valid = matrix(1_500, 2, 'v');
    const out = await fitCandidates(pipeline, train, valid, {
      threads: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    // Every engine, then (only when it strictly beats the best single engine) their blend.
    const singles = out.candidates.slice(0, AUTO_ENGINES.length);
    expect(singles.map((c) => c.engine)).toEqual([...AUTO_ENGINES]);
    const blend = out.candidates.slice(AUTO_ENGINES.length);
    expect(blend.length).toBeLessThanOrEqual(1);
    for (const c of blend) {
      expect(c.engine).toMatch(
        /^blend \((logistic|hist|gbdt) [0-9.]+( \+ (logistic|hist|gbdt) [0-9.]+){1,2}\)$/,
      );
      expect(c.value).toBeGreaterThan(Math.max(...singles.map((s) => s.value!)));
    }
    for (const c of out.candidates) expect(c.value).toBe(c.metrics.rocAuc);
    const best = Math.max(...out.candidates.map((c) => c.value!));
    const chosen = out.candidates.filter((c) => c.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.value).toBe(best);
    expect(chosen[0]!.engine.startsWith(out.engine)).toBe(true);
    expect(out.blend !== undefined).toBe(out.engine === 'blend');
    // The kept model is the one measured: its validation ROC-AUC is the recorded figure.
    expect(rocAuc(valid.labels, out.model.predictProba(valid.columns))).toBeCloseTo(best, 12);
    // Different engines really were fitted: their figures differ.
    expect(new Set(singles.map((c) => c.value)).size).toBe(AUTO_ENGINES.length);
  });

  it('blends only when strictly better: a copy of the best candidate ties and gives no blend', async () => {
    const pipeline = parsePipeline(
      {
        name: 'blend',
        mode: 'labeled',
        sources: [{ kind: 'file', path: 'x.csv' }],
        columns: { label: { column: 'y' } },
        model: { nTrees: 30, seed: 4 },
      },
      'test',
    );
    const train = matrix(3_000, 1, 't');
    const valid = matrix(1_500, 2, 'v');
    const fit = async (engine: 'hist' | 'logistic', keep: (feature: number) => boolean = () => true) => {
      // keep: the features this candidate may learn from (the others are blanked in its training rows).
      const rows = {
        ...train,
        columns: train.columns.map((c, f) => (keep(f) ? c : new Float64Array(c.length))),
      };
      const model = await trainCalibrated(
        rows,
        { data: valid, ids: valid.ids },
        { ...pipeline.model, engine },
      );
      const metrics = headlineMetrics(await evaluateCalibrated(model, valid, pipeline.model.threshold, 4));
      return { model, figure: { engine, metrics, fitMs: 1, calibration: model.calibrator.method } };
    };
    const hist = await fit('hist');
    expect(await fitBlendCandidate(pipeline, [hist, hist], valid)).toBeNull();
    expect(await fitBlendCandidate(pipeline, [hist], valid)).toBeNull();
    // Two candidates that each see half of the features: their average knows more than either.
    const even = await fit('logistic', (f) => f % 2 === 0);
    const odd = await fit('logistic', (f) => f % 2 === 1);
    const blend = (await fitBlendCandidate(pipeline, [even, odd], valid))!;
    expect(blend).not.toBeNull();
    expect(blend.figure.engine).toBe('blend (logistic 0.5 + logistic 0.5)');
    // Its recorded figure is the stored model's on the validation rows, and beats both members.
    expect(rocAuc(valid.labels, blend.model.predictProba(valid.columns))).toBeCloseTo(
      blend.figure.metrics.rocAuc!,
      12,
    );
    expect(blend.figure.metrics.rocAuc!).toBeGreaterThan(
      Math.max(even.figure.metrics.rocAuc!, odd.figure.metrics.rocAuc!),
    );
    // Deterministic: the same candidates give the same blend, byte for byte.
    expect((await fitBlendCandidate(pipeline, [even, odd], valid))!.model.serialize()).toBe(
      blend.model.serialize(),
    );
    // Members chosen on a sample of the validation rows: the same blend here, and its figures
    // (calibration included) still from every validation row, as with no sample.
    const sampled = (await fitBlendCandidate(pipeline, [even, odd], valid, { selectionRows: 1_000 }))!;
    expect(sampled.figure).toEqual({ ...blend.figure, fitMs: sampled.figure.fitMs });
    expect(sampled.model.serialize()).toBe(blend.model.serialize());
    expect(sampled.model.report.rows).toBe(valid.nRows);
    expect(rocAuc(valid.labels, sampled.model.predictProba(valid.columns))).toBeCloseTo(
      sampled.figure.metrics.rocAuc!,
      12,
    );
  });
});
