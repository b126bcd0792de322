import { parsePipeline, type Pipeline } from '../../config/pipeline.ts';
import type { Database } from '../../db/client.ts';
import { featureSets, modelVersions, pipelineRuns, stepRuns } from '../../db/schema/index.ts';
import { packModel } from '../../jobs/model-store.ts';
import type { Model } from '../../ml/engine.ts';

export interface ScoringNight {
  runKey: string;
  businessDate: string;
  /** Customers to score, column-major like the model expects. */
  ids: string[];
  columns: Float64Array[];
  model: Model;
}

/** A pipeline definition for tests and benches; `overrides` reach every section (gates, segments...). */
export function scoringPipeline(name: string, overrides: Record<string, unknown> = {}): Pipeline {
  return parsePipeline(
    { name, mode: 'labeled', sources: [{ kind: 'file', path: 'unused.csv' }], columns: { label: { column: 'y' } }, ...overrides },
    `test pipeline ${name}`,
  );
}

/**
 * Writes what the score step reads as if collect..evaluate had run: the ledger row, a succeeded
 * evaluate attempt, the feature set, the scoring feature rows and the model. Lets a test or bench
 * drive the real score step over any number of synthetic customers without the earlier steps.
 */
export async function seedScoringNight(database: Database, pipeline: Pipeline, night: ScoringNight): Promise<void> {
  const { db, pool } = database;
  const n = night.ids.length;
  await db.insert(pipelineRuns).values({ runKey: night.runKey, pipeline: pipeline.name, businessDate: night.businessDate, status: 'running', params: pipeline });
  await db.insert(stepRuns).values({ runKey: night.runKey, step: 'evaluate', attempt: 1, status: 'succeeded' });
  await db.insert(featureSets).values({
    runKey: night.runKey,
    featureNames: night.model.featureNames,
    categorical: night.model.featureNames.map(() => false),
    encoders: {},
    rowsTrain: 0,
    rowsValid: 0,
    rowsScore: n,
    warnings: [],
  });
  const nF = night.columns.length;
  const BATCH = 4_000;
  for (let i = 0; i < n; i += BATCH) {
    const batch: unknown[][] = [];
    for (let r = i; r < Math.min(n, i + BATCH); r++) {
      const vec = Buffer.alloc(nF * 8);
      for (let f = 0; f < nF; f++) vec.writeDoubleLE(night.columns[f]![r]!, f * 8);
      batch.push([night.runKey, 'score', night.ids[r], null, vec]);
    }
    await pool.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [batch]);
  }
  await db.insert(modelVersions).values({
    pipeline: pipeline.name,
    runKey: night.runKey,
    engine: night.model.engine,
    params: {},
    featureNames: night.model.featureNames,
    dataFingerprint: 'seeded',
    trainRows: 0,
    fitMs: 0,
    model: await packModel(night.model),
  });
}
