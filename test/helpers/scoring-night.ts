import type { Pool } from 'mysql2/promise';
import { parsePipeline, type Pipeline } from '../../config/pipeline.ts';
import type { Database } from '../../db/client.ts';
import { featureSets, pipelineRuns, stepRuns } from '../../db/schema/index.ts';
import type { Model } from '../../ml/engine.ts';
import { saveModelVersion } from '../../pipeline/registry/model-store.ts';

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
    {
      name,
      mode: 'labeled',
      sources: [{ kind: 'file', path: 'unused.csv' }],
      columns: { label: { column: 'y' } },
      ...overrides,
    },
    `test pipeline ${name}`,
  );
}

/**
 * Writes what the score step reads as if collect..evaluate had run: the ledger row, a succeeded
 * evaluate attempt, the feature set, the scoring feature rows and the model. Lets a test or bench
 * drive the real score step over any number of synthetic customers without the earlier steps.
 */
export async function seedScoringNight(
  database: Database,
  pipeline: Pipeline,
  night: ScoringNight,
  totalRows = night.ids.length,
): Promise<void> {
  const { db, pool } = database;
  await db.insert(pipelineRuns).values({
    runKey: night.runKey,
    pipeline: pipeline.name,
    businessDate: night.businessDate,
    status: 'running',
    params: pipeline,
  });
  await db
    .insert(stepRuns)
    .values({ runKey: night.runKey, step: 'evaluate', attempt: 1, status: 'succeeded' });
  await db.insert(featureSets).values({
    runKey: night.runKey,
    featureNames: night.model.featureNames,
    categorical: night.model.featureNames.map(() => false),
    encoders: {},
    rowsTrain: 0,
    rowsValid: 0,
    // A bench seeds a million customers chunk by chunk: the first chunk here, the rest with writeFeatureRows.
    rowsScore: totalRows,
    warnings: [],
  });
  await writeFeatureRows(pool, night.runKey, night.ids, night.columns);
  const ins = await saveModelVersion(
    pool,
    {
      pipeline: pipeline.name,
      runKey: night.runKey,
      engine: night.model.engine,
      params: {},
      featureNames: night.model.featureNames,
      dataFingerprint: 'seeded',
      trainRows: 0,
      fitMs: 0,
    },
    night.model,
  );
  // Scores come from the pipeline's champion (model registry): the seeded model is made champion.
  const [aliases] = await pool.query(
    "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'model_aliases'",
  );
  if ((aliases as unknown[]).length > 0) {
    await pool.query(
      "INSERT INTO model_aliases (pipeline, alias, version_id) VALUES (?, 'champion', ?) ON DUPLICATE KEY UPDATE version_id = VALUES(version_id)",
      [pipeline.name, ins.id],
    );
  }
}

/** Scoring feature rows, batched like the features step writes them. */
export async function writeFeatureRows(
  pool: Pool,
  runKey: string,
  ids: string[],
  columns: Float64Array[],
): Promise<void> {
  const BATCH = 4_000;
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch: unknown[][] = [];
    for (let r = i; r < Math.min(ids.length, i + BATCH); r++) {
      const vec = Buffer.alloc(columns.length * 8);
      for (let f = 0; f < columns.length; f++) vec.writeDoubleLE(columns[f]![r]!, f * 8);
      batch.push([runKey, 'score', ids[r], null, vec]);
    }
    await pool.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [batch]);
  }
}
