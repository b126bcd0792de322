import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipeline, type Pipeline } from '../config/pipeline.ts';
import { clean } from '../jobs/clean.ts';
import { evaluate } from '../jobs/evaluate.ts';
import { features } from '../jobs/features.ts';
import { train } from '../jobs/train.ts';
import { rocAuc } from '../ml/metrics.ts';
import { modeOf } from '../modes/index.ts';
import { loadRunModel } from '../pipeline/registry/model-store.ts';
import { readRegistry } from '../pipeline/registry/read-registry.ts';
import { gatherValidation } from '../reports/gather/gather-validation.ts';
import { validationSection } from '../reports/render/validation-section.ts';
import { stepContext } from './helpers/features-context.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-22';

interface Stored {
  train_rows: number;
  metrics: {
    trainSample?: { rows: number; totalRows: number; maxTrainRows: number; seed: number };
    candidates: { engine: string; chosen: boolean; metrics: { rocAuc: number } }[];
    validationRows: number;
  };
  training_window: { trainRows: number; validRows: number };
}

/**
 * model.maxTrainRows: a labeled night whose training rows exceed the cap fits on a sample of
 * exactly the cap, records it honestly (trainRows = the cap, of how many, in the registry and the
 * model card), and still calibrates and measures on every validation row and cross-fits every
 * known-outcome row.
 */
describe('train row budget: model.maxTrainRows', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('rowbudget');
  });
  afterAll(async () => t?.cleanup());

  async function night(name: string, maxTrainRows: number | null): Promise<Pipeline> {
    const { pipeline: file } = writeShoppersSlice(t.tmp, 3_000, {
      name,
      model: { engine: 'auto', nTrees: 20, seed: 42, validationShare: 0.2, crossFitFolds: 3, maxTrainRows },
    });
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { pipeline } = await collectAndLoad(t.database, t.config, raw, DATE);
    for (const step of [clean, features, train, evaluate]) {
      await step.handler(stepContext(t, parsePipeline(raw, 'test'), DATE));
    }
    return pipeline;
  }

  async function stored(runKey: string): Promise<Stored> {
    const [rows] = await t.database.pool.query(
      'SELECT train_rows, metrics, training_window FROM model_versions WHERE run_key = ?',
      [runKey],
    );
    const [row] = rows as Record<string, unknown>[];
    const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
    return {
      train_rows: Number(row!.train_rows),
      metrics: json(row!.metrics) as Stored['metrics'],
      training_window: json(row!.training_window) as Stored['training_window'],
    };
  }

  it('fits on a sample of exactly the cap, says of how many rows, and validates on all of them', async () => {
    const p = await night('budget-capped', 1_000);
    const runKey = `${p.name}@${DATE}`;
    const [sets] = await t.database.pool.query(
      'SELECT rows_train AS train, rows_valid AS valid FROM feature_sets WHERE run_key = ?',
      [runKey],
    );
    const { train: totalTrain, valid: totalValid } = (sets as { train: number; valid: number }[])[0]!;
    expect(totalTrain).toBeGreaterThan(2_000);

    const v = await stored(runKey);
    expect(v.train_rows).toBe(1_000);
    expect(v.training_window.trainRows).toBe(1_000);
    expect(v.metrics.trainSample).toEqual({
      rows: 1_000,
      totalRows: totalTrain,
      maxTrainRows: 1_000,
      seed: 42,
    });
    // Validation is never capped: evaluate measured every validation row, and the kept model's
    // recorded candidate figure is its ROC-AUC over all of them.
    expect(v.metrics.validationRows).toBe(totalValid);
    expect(v.training_window.validRows).toBe(totalValid);
    const { model } = await loadRunModel(t.database.db, runKey);
    const valid = await modeOf(p).readFeatures(t.database, runKey, 'valid');
    expect(valid.nRows).toBe(totalValid);
    const kept = v.metrics.candidates.find((c) => c.chosen)!;
    expect(rocAuc(valid.labels, model.predictProba(valid.columns))).toBeCloseTo(kept.metrics.rocAuc, 9);

    // Every known-outcome row still has its out-of-fold score (each fold's fit capped, none skipped).
    const [known] = await t.database.pool.query(
      'SELECT COUNT(*) AS n FROM known_outcome_scores WHERE run_key = ?',
      [runKey],
    );
    expect(Number((known as { n: number }[])[0]!.n)).toBe(totalTrain + totalValid);

    const { versions } = await readRegistry(t.database.db, p.name);
    expect(versions[0]!.trainRows).toBe(1_000);
    expect(versions[0]!.trainSample?.totalRows).toBe(totalTrain);
    const card = JSON.stringify(
      validationSection({
        pipeline: p.name,
        businessDate: DATE,
        runKey,
        status: 'succeeded',
        validation: (await gatherValidation(t.database.pool, runKey))!,
      }),
    );
    expect(card).toContain(
      `(trained on 1,000 of ${totalTrain.toLocaleString('en-US')} training rows: seeded stratified sample, model.maxTrainRows 1,000, seed 42; validated on all)`,
    );
  });

  it('without a cap (null) fits on every training row and records no sample', async () => {
    const p = await night('budget-all', null);
    const runKey = `${p.name}@${DATE}`;
    const v = await stored(runKey);
    const [sets] = await t.database.pool.query('SELECT rows_train AS n FROM feature_sets WHERE run_key = ?', [
      runKey,
    ]);
    expect(v.train_rows).toBe((sets as { n: number }[])[0]!.n);
    expect(v.metrics.trainSample).toBeUndefined();
  });
});
