import { describe, expect, it } from 'vitest';
import { validationSection } from '../render/validation-section.ts';
import { validationFromStored } from './validation-from-stored.ts';

const metrics = {
  validationRows: 2_810,
  selectedBy: 'rocAuc',
  candidates: [
    { engine: 'logistic', value: 0.75112, metrics: { rocAuc: 0.75112 }, calibration: 'platt', chosen: true },
    { engine: 'hist', value: 0.73891, metrics: { rocAuc: 0.73891 }, calibration: 'isotonic', chosen: false },
  ],
  calibration: { method: 'platt', eceBefore: 0.1418, eceAfter: 0.0244, brierBefore: 0.23, brierAfter: 0.2 },
  cv: { folds: 5, rocAuc: { mean: 0.912, sd: 0.0123, values: [] } },
};

describe('the model card: how the model was validated', () => {
  it('reads a time window, the rows, CV, calibration and every candidate from the stored version', () => {
    const facts = validationFromStored(
      metrics,
      {
        mode: 'transactions',
        seed: 42,
        trainRows: 1_865,
        validRows: 2_810,
        snapshots: [
          { role: 'train', cutoff: '2011-03-14', labelEnd: '2011-06-12' },
          { role: 'valid', cutoff: '2011-06-12', labelEnd: '2011-09-10' },
        ],
      },
      1_865,
    )!;
    expect(facts.split).toEqual({
      kind: 'time',
      trainCutoffs: ['2011-03-14'],
      validCutoff: '2011-06-12',
      validLabelEnd: '2011-09-10',
    });
    expect(facts.cv).toEqual({ folds: 5, mean: 0.912, sd: 0.0123 });
    const section = JSON.stringify(
      validationSection({
        pipeline: 'p',
        businessDate: 'd',
        runKey: 'k',
        status: 'succeeded',
        validation: facts,
      }),
    );
    expect(section).toContain('validated on customers as of 2011-06-12, outcomes up to 2011-09-10');
    expect(section).toContain('1,865 training, 2,810 validation');
    expect(section).toContain('ROC-AUC 0.912 ± 0.012 (mean ± sd over 5 folds');
    expect(section).toContain('platt: ECE 0.142 → 0.024');
    expect(section).toContain('"0.7511"');
    expect(section).toContain('"0.7389"');
  });

  it('a stratified split without CV says the CV was off; no window, no section', () => {
    const facts = validationFromStored(
      { candidates: [] },
      { mode: 'labeled', seed: 7, validationShare: 0.2, trainRows: 100, validRows: 25 },
      100,
    )!;
    expect(facts.split).toEqual({ kind: 'stratified', share: 0.2, seed: 7 });
    expect(facts.validRows).toBe(25);
    expect(facts.trainSample).toBeUndefined();
    const section = JSON.stringify(
      validationSection({
        pipeline: 'p',
        businessDate: 'd',
        runKey: 'k',
        status: 'succeeded',
        validation: facts,
      }),
    );
    expect(section).toContain('stratified random split: 20% of labeled rows held out (seed 7)');
    expect(section).toContain('off (evaluation.cvFolds is 0');
    expect(validationFromStored(metrics, null, 1)).toBeUndefined();
  });

  it('a capped training table says the model was trained on a sample of it, and of how many rows', () => {
    const facts = validationFromStored(
      { ...metrics, trainSample: { rows: 250_000, totalRows: 901_234, maxTrainRows: 250_000, seed: 42 } },
      { mode: 'transactions', seed: 42, trainRows: 250_000, validRows: 899_000, snapshots: [] },
      250_000,
    )!;
    expect(facts.trainRows).toBe(250_000);
    expect(facts.trainSample).toEqual({ totalRows: 901_234, maxTrainRows: 250_000, seed: 42 });
    const section = JSON.stringify(
      validationSection({
        pipeline: 'p',
        businessDate: 'd',
        runKey: 'k',
        status: 'succeeded',
        validation: facts,
      }),
    );
    expect(section).toContain(
      '250,000 training, 2,810 validation (trained on 250,000 of 901,234 training rows: seeded stratified sample, model.maxTrainRows 250,000, seed 42; validated on all)',
    );
  });
});
