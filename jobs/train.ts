import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { featureSets, modelVersions } from '../db/schema/index.ts';
import { trainModel } from '../ml/engine.ts';
import { modeOf } from '../modes/index.ts';
import type { FeatureMatrix } from '../pipeline/features/feature-matrix-type.ts';
import { packModel } from '../pipeline/registry/model-store.ts';
import { defineStep } from '../runner/step.ts';

/**
 * train: fits the forest on the run's training rows. The forest trains on worker threads, so this
 * process's event loop stays free and BullMQ keeps renewing the job lock (no "stalled" double run).
 * Re-running replaces the run's model version row (same version id), never adds a second one.
 */
export const train = defineStep({
  name: 'train',
  async handler({ run, db, pool, config, signal, progress, log }) {
    const mode = modeOf(run.pipeline);
    const data = await mode.readFeatures({ db, pool }, run.runKey, 'train');
    const params = { ...run.pipeline.model };
    const started = performance.now();
    const model = await trainModel(
      {
        featureNames: data.featureNames,
        categorical: data.categorical,
        columns: data.columns,
        labels: data.labels,
        nRows: data.nRows,
      },
      params,
      {
        threads: config.CPD_THREADS,
        signal,
        onProgress: (done, total) => void progress(Math.round((done / total) * 100)),
      },
    );
    const fitMs = Math.round(performance.now() - started);
    const packed = await packModel(model);
    const [set] = await db
      .select({ rowsValid: featureSets.rowsValid })
      .from(featureSets)
      .where(eq(featureSets.runKey, run.runKey));
    const row = {
      pipeline: run.pipeline.name,
      runKey: run.runKey,
      engine: params.engine,
      params,
      featureNames: data.featureNames,
      dataFingerprint: fingerprintMatrix(data),
      // With the fingerprint, params and seed: enough to retrain the version.
      trainingWindow: mode.trainingWindow(run, { trainRows: data.nRows, validRows: set?.rowsValid ?? 0 }),
      trainRows: data.nRows,
      fitMs,
      model: packed,
      metrics: null,
      threshold: null,
    };
    await db
      .insert(modelVersions)
      .values(row)
      .onDuplicateKeyUpdate({ set: { ...row, createdAt: sql`CURRENT_TIMESTAMP(3)` } });
    log.info({ fitMs, trainRows: data.nRows, modelBytes: packed.length }, 'model trained');
    return {
      rowsIn: data.nRows,
      details: { fitMs, engine: params.engine, nTrees: params.nTrees, modelBytes: packed.length },
    };
  },
});

/** sha256 over ids, labels and values in row order: "trained on the same data" becomes checkable. */
export function fingerprintMatrix(m: FeatureMatrix): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(m.featureNames));
  h.update(m.ids.join('\n'));
  h.update(m.labels);
  for (const c of m.columns) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
}
