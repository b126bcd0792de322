import { describe, expect, it } from 'vitest';
import { evaluateBinary } from '../../ml/metrics.ts';
import { metricsFromStored } from './metrics-from-stored.ts';

describe('metricsFromStored', () => {
  it('maps what jobs/evaluate.ts stores (through JSON) onto the report metrics', () => {
    const labels = Uint8Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const scores = Float64Array.from(labels, (l, i) => (l ? 0.55 : 0.1) + ((i * 37) % 40) / 100);
    const evaluation = evaluateBinary(labels, scores, { rule: 'max-f1' });
    const stored = {
      ...evaluation,
      ...evaluation.atThreshold,
      prAuc: evaluation.averagePrecision,
      baseRate: evaluation.prevalence,
      featureImportance: [{ feature: 'PageValues', importance: 0.4 }],
      validationRows: 400,
    };
    const { metrics, baseRate } = metricsFromStored(
      JSON.parse(JSON.stringify(stored)) as Record<string, unknown>,
    );
    expect(baseRate).toBe(0.25);
    expect(metrics.rocAuc).toBeCloseTo(evaluation.rocAuc, 12);
    expect(metrics.prAuc).toBeCloseTo(evaluation.averagePrecision, 12);
    expect(metrics.confusion).toEqual(evaluation.atThreshold.confusion);
    expect(metrics.lift).toHaveLength(10);
    expect(metrics.lift![0]!.cumulativeGain).toBeCloseTo(evaluation.lift[0]!.cumulativeCapture, 12);
    expect(metrics.roc!.length).toBe(evaluation.roc.length);
    expect(metrics.calibration!.every((b) => /^\d\.\d-\d\.\d$/.test(b.bin) && b.rows > 0)).toBe(true);
    expect(metrics.evaluatedRows).toBe(400);
    expect(metrics.featureImportance).toEqual([{ feature: 'PageValues', importance: 0.4 }]);
  });

  it('a NaN AUC stored as null stays NaN (printed as n/a), not zero', () => {
    expect(metricsFromStored({ rocAuc: null }).metrics.rocAuc).toBeNaN();
  });
});
