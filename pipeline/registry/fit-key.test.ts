import { describe, expect, it } from 'vitest';
import { modelSchema, promotionSchema } from '../../config/pipeline.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { fingerprintMatrix, fitKeyOf } from './fit-key.ts';

const matrix = (values: number[], labels: number[], ids = values.map((_, i) => `c${i}`)): FeatureMatrix => ({
  featureNames: ['visits'],
  categorical: [false],
  columns: [Float64Array.from(values)],
  labels: Uint8Array.from(labels),
  nRows: values.length,
  ids,
});

const pipeline = { model: modelSchema.parse({}), promotion: promotionSchema.parse({}) };
const train = matrix([1, 2, 3, 4], [0, 1, 0, 1]);
const valid = matrix([5, 6], [1, 0], ['v0', 'v1']);

describe('fitKeyOf', () => {
  it('is the same for the same rows and recipe, whatever the key order of the recipe', () => {
    const reordered = { ...pipeline, model: Object.fromEntries(Object.entries(pipeline.model).reverse()) };
    const a = fitKeyOf(pipeline, train, valid);
    const b = fitKeyOf(reordered as typeof pipeline, matrix([1, 2, 3, 4], [0, 1, 0, 1]), valid);
    expect(b).toEqual(a);
    expect(a.dataFingerprint).toBe(fingerprintMatrix(train));
  });

  it('changes with the seed, any parameter, the training-row cap, the engine or the selection metric', () => {
    const base = fitKeyOf(pipeline, train, valid).key;
    const variants = [
      { ...pipeline, model: { ...pipeline.model, seed: 43 } },
      { ...pipeline, model: { ...pipeline.model, nTrees: 101 } },
      { ...pipeline, model: { ...pipeline.model, maxTrainRows: 1_000 } },
      { ...pipeline, model: { ...pipeline.model, maxTrainRows: null } },
      { ...pipeline, model: { ...pipeline.model, engine: 'hist' as const } },
      { ...pipeline, promotion: { ...pipeline.promotion, metric: 'prAuc' as const } },
    ];
    const keys = variants.map((p) => fitKeyOf(p, train, valid).key);
    expect(new Set([base, ...keys]).size).toBe(7);
  });

  it('changes with one value, one label, one id of the training or validation rows', () => {
    const base = fitKeyOf(pipeline, train, valid);
    const value = fitKeyOf(pipeline, matrix([1, 2, 3, 4.5], [0, 1, 0, 1]), valid);
    const label = fitKeyOf(pipeline, matrix([1, 2, 3, 4], [0, 1, 1, 1]), valid);
    const id = fitKeyOf(pipeline, matrix([1, 2, 3, 4], [0, 1, 0, 1], ['c0', 'c1', 'c2', 'x']), valid);
    const validRow = fitKeyOf(pipeline, train, matrix([5, 7], [1, 0], ['v0', 'v1']));
    for (const other of [value, label, id]) {
      expect(other.key).not.toBe(base.key);
      expect(other.dataFingerprint).not.toBe(base.dataFingerprint);
    }
    // The validation rows change the fit (calibration, "auto"), not the training fingerprint.
    expect(validRow.key).not.toBe(base.key);
    expect(validRow.dataFingerprint).toBe(base.dataFingerprint);
  });
});
