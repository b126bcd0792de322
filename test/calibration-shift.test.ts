import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../config/pipeline.ts';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { train } from '../jobs/train.ts';
import { CalibratedModel } from '../ml/calibration/calibrated-model.ts';
import { expectedCalibrationError } from '../ml/calibration/ece.ts';
import { modeOf } from '../modes/index.ts';
import { loadRunModel } from '../pipeline/registry/model-store.ts';
import { stepContext } from './helpers/features-context.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { repoRoot } from './helpers/processes.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2011-09-10';

/**
 * Calibration on a shifted data set, through the real steps on MySQL: Online Retail at
 * 2011-09-10 (H = 90) trains on customers as of 2011-03-14, when more of them bought again than
 * in the validation window. A model fitted on the training window is over-confident on the later
 * one; the train step's calibrator, fitted on the validation window, must lower the calibration
 * error measured on rows it did not see, and the stored model must publish calibrated scores.
 */
describe('calibration on a shifted data set (transactions, real steps and MySQL)', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('calshift');
  });
  afterAll(async () => t?.cleanup());

  it('the base rate shifts between training and validation, and calibration lowers ECE', async () => {
    const raw = loadPipelineFile(path.join(repoRoot, 'config', 'pipelines', 'online-retail.json'));
    const pipeline = { ...raw, model: { ...raw.model, engine: 'hist' as const, nTrees: 40 } };
    await collectAndLoad(t.database, t.config, pipeline, DATE);
    const ctx = stepContext(t, pipeline, DATE);
    for (const step of [clean, features, train]) await step.handler(ctx);

    const store = { db: t.database.db, pool: t.database.pool };
    const mode = modeOf(pipeline);
    const rows = await mode.readFeatures(store, ctx.run.runKey, 'train');
    const valid = await mode.readFeatures(store, ctx.run.runKey, 'valid');
    const rate = (l: Uint8Array) => l.reduce((a, b) => a + b, 0) / l.length;
    // The shift: at least 5 points between the windows.
    expect(Math.abs(rate(rows.labels) - rate(valid.labels))).toBeGreaterThan(0.05);

    const { model } = await loadRunModel(t.database.db, ctx.run.runKey);
    expect(model).toBeInstanceOf(CalibratedModel);
    const calibrated = model as CalibratedModel;
    const r = calibrated.report;
    expect(r.method).not.toBe('none');
    expect(r.rows).toBe(valid.nRows);
    // "Before" is the raw model on the validation rows: over-confident after the shift.
    expect(r.eceBefore).toBeCloseTo(
      expectedCalibrationError(valid.labels, calibrated.inner.predictProba(valid.columns)),
      10,
    );
    expect(r.eceBefore).toBeGreaterThan(0.05);
    // "After" is measured on rows each half's calibrator did not see: clearly lower.
    expect(r.eceAfter).toBeLessThan(r.eceBefore / 2);
    expect(r.brierAfter).toBeLessThan(r.brierBefore);
    // What is published is calibrated: the mean score tracks the validation window's rate, not training's.
    const mean = (p: Float64Array) => p.reduce((a, b) => a + b, 0) / p.length;
    expect(Math.abs(mean(calibrated.predictProba(valid.columns)) - rate(valid.labels))).toBeLessThan(0.02);
  });
});
