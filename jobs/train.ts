import { eq } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import { featureSets } from '../db/schema/index.ts';
import { trainCalibratedOn } from '../ml/calibration/train-calibrated.ts';
import { concatRowsAsync } from '../ml/dataset.ts';
import { trainModel } from '../ml/engine.ts';
import { type CrossFit, crossFitScores, type FitRecipe } from '../ml/evaluation/cross-fit.ts';
import { modeOf } from '../modes/index.ts';
import {
  DEPENDENCE_PREFIX,
  type DependenceSuspect,
  dependenceSuspects,
  dependenceWarning,
  leakRefitRecipe,
} from '../pipeline/quality/leak-guard.ts';
import { fitCandidates } from '../pipeline/registry/fit-candidates.ts';
import { fitKeyOf } from '../pipeline/registry/fit-key.ts';
import { storeKnownOutcomeScores } from '../pipeline/registry/known-outcome-scores.ts';
import { saveModelVersion } from '../pipeline/registry/model-store.ts';
import { reuseFittedVersion } from '../pipeline/registry/reuse-version.ts';
import { capTrainRows } from '../pipeline/registry/train-sample.ts';
import { sampleValidationRows, VALIDATION_SAMPLE_ROWS } from '../pipeline/registry/validation-sample.ts';
import { stopwatch } from '../pipeline/stopwatch.ts';
import { defineStep } from '../runner/step.ts';

/**
 * train: fits the model on the run's training rows and calibrates it on the validation rows; where rows of known outcome are also scored
 * (labeled tables), cross-fits them so each gets a score from a model that never saw it. Training
 * runs on worker threads, so this process's event loop stays free and BullMQ keeps renewing the
 * job lock (no "stalled" double run). Above model.maxTrainRows every fit learns from one seeded
 * stratified sample of the training rows (recorded with the version); calibration and every
 * figure use all the validation rows. Re-running replaces the run's model version row (same
 * version id) and its out-of-fold scores, together, never adds a second one.
 */
export const train = defineStep({
  name: 'train',
  async handler({ run, db, pool, config, signal, progress, log }) {
    const mode = modeOf(run.pipeline);
    // Where the step's time goes (details.timings): each phase's wall time since the previous one.
    const timings: Record<string, number> = {};
    const lap = stopwatch(timings);
    const data = await mode.readFeatures({ db, pool }, run.runKey, 'train');
    const params = { ...run.pipeline.model };
    const crossFit = mode.kFold.allowed;
    // Progress: the model is the first half when cross-fitting follows, else all of it.
    const share = crossFit ? 50 : 100;
    const threads = config.CPD_THREADS;
    // Calibrated on the validation rows (labeled: the held-out slice; transactions: the most
    // recent labeled window), which the model never learns from.
    const valid = await mode.readFeatures({ db, pool }, run.runKey, 'valid');
    // Same rows, recipe and seed as an existing version: use it, fit nothing, store nothing.
    lap('readMs');
    const fit = fitKeyOf(run.pipeline, data, valid);
    const reused = await reuseFittedVersion(
      pool,
      { pipeline: run.pipeline.name, runKey: run.runKey, fitKey: fit.key, knownOutcomes: crossFit },
      (conn, v) => recordRunWarnings(conn, run.runKey, leakWarningsOf(v.metrics)),
    );
    if (reused) {
      log.info(
        { version: reused.version, from: reused.runKey },
        'same data and parameters: model version reused',
      );
      return { rowsIn: data.nRows, details: { reusedVersion: reused.version, reusedFrom: reused.runKey } };
    }
    lap('fitKeyMs');
    // One sample for every fit below (candidates, blend, leak refits): fit time grows with rows.
    const { rows: fitRows, sample } = await capTrainRows(data, params);
    if (sample) log.info(sample, 'training rows capped by model.maxTrainRows: seeded stratified sample');
    lap('sampleMs');
    const {
      model,
      engine,
      blend,
      candidates,
      fitMs,
      timings: candidateTimings,
    } = await fitCandidates(run.pipeline, fitRows, valid, {
      threads,
      signal,
      onProgress: (done) => void progress(Math.round(done * share)),
    });
    lap('candidatesMs');
    const recipe = { ...params, engine, ...(blend ? { blend } : {}) };
    const guard = run.pipeline.leakGuard;
    // Cheaper refits (≤ 30 trees or boosting rounds), measured on a sample of the validation rows,
    // are enough to see whether the model leans on one feature.
    const leaks = await dependenceSuspects(
      fitRows,
      await sampleValidationRows(valid, VALIDATION_SAMPLE_ROWS, params.seed),
      model.featureImportance(),
      (rows) => trainModel(rows, leakRefitRecipe(recipe), { threads, signal }),
      { maxAucLoss: guard.maxDropLoss, maxImportanceShare: guard.maxImportanceShare, topK: 3 },
    );
    lap('leakGuardMs');
    const leakWarnings = leaks.map(dependenceWarning);
    for (const w of leakWarnings) log.warn(w);
    let known: (CrossFit & { ids: string[] }) | null = null;
    if (crossFit) {
      const ids = [...data.ids, ...valid.ids];
      // Every known-outcome row is still scored out of fold; each fold's fit part (the share
      // trainCalibratedOn does not calibrate on) is capped like the final model's.
      const foldCap =
        params.maxTrainRows === null ? null : Math.floor(params.maxTrainRows / (1 - params.validationShare));
      const fitFold: FitRecipe = async (rows, rowIds, o) => {
        const capped = await capTrainRows({ ...rows, ids: rowIds }, { ...params, maxTrainRows: foldCap });
        return trainCalibratedOn(capped.rows, capped.rows.ids, recipe, params.validationShare, {
          ...o,
          threads,
          signal,
        });
      };
      const labeled = await concatRowsAsync(data, valid);
      known = {
        ids,
        ...(await crossFitScores(labeled, ids, fitFold, params.crossFitFolds, params.seed, {
          signal,
          onProgress: (done, total) => void progress(50 + Math.round((done / total) * 50)),
        })),
      };
    }
    if (known) lap('crossFitMs');
    const [set] = await db
      .select({ rowsValid: featureSets.rowsValid, customerValue: featureSets.customerValue })
      .from(featureSets)
      .where(eq(featureSets.runKey, run.runKey));
    const row = {
      pipeline: run.pipeline.name,
      runKey: run.runKey,
      engine,
      params: recipe,
      featureNames: data.featureNames,
      dataFingerprint: fit.dataFingerprint,
      fitKey: fit.key,
      // With the fingerprint, params and seed: enough to retrain the version.
      trainingWindow: mode.trainingWindow(
        run,
        { trainRows: fitRows.nRows, validRows: set?.rowsValid ?? 0 },
        set,
      ),
      // Rows actually fitted on; metrics.trainSample says of how many, when capped.
      trainRows: fitRows.nRows,
      fitMs,
      // Every candidate's validation figure; evaluate adds tonight's full metrics beside it.
      metrics: {
        candidates,
        selectedBy: run.pipeline.promotion.metric,
        leakGuard: leaks,
        ...(sample ? { trainSample: sample } : {}),
      },
      threshold: null,
    };
    // Chunked, so a model of any size stores on any server (no row near max_allowed_packet);
    // the run's warnings and known-outcome scores land in the same transaction.
    const stored = await saveModelVersion(pool, row, model, async (conn) => {
      await recordRunWarnings(conn, run.runKey, leakWarnings);
      if (known) await storeKnownOutcomeScores(conn, run.runKey, known.ids, known.scores, known.folds);
      else await conn.query('DELETE FROM known_outcome_scores WHERE run_key = ?', [run.runKey]);
    });
    lap('storeMs');
    log.info(
      {
        fitMs,
        timings,
        trainRows: fitRows.nRows,
        modelBytes: stored.bytes,
        chunks: stored.chunks,
        calibration: model.report,
      },
      'model trained',
    );
    return {
      rowsIn: data.nRows,
      details: {
        fitMs,
        engine,
        ...(sample ? { trainSample: sample } : {}),
        candidates: candidates.map((c) => ({ engine: c.engine, value: c.value, chosen: c.chosen })),
        modelBytes: stored.bytes,
        calibration: model.report.method,
        ...(leakWarnings.length ? { warnings: leakWarnings } : {}),
        ...(known ? { knownOutcomeRows: known.ids.length, crossFitFolds: params.crossFitFolds } : {}),
        timings: { ...timings, ...candidateTimings },
      },
    };
  },
});

/** The train step's leak warnings join the run's warnings (feature_sets), replacing its own from an earlier attempt. */
async function recordRunWarnings(conn: PoolConnection, runKey: string, warnings: string[]): Promise<void> {
  const [rows] = await conn.query('SELECT warnings FROM feature_sets WHERE run_key = ? FOR UPDATE', [runKey]);
  const raw = (rows as { warnings: unknown }[])[0]?.warnings;
  const parsed = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const kept = (Array.isArray(parsed) ? parsed.map(String) : []).filter(
    (w) => !w.startsWith(DEPENDENCE_PREFIX),
  );
  await conn.query('UPDATE feature_sets SET warnings = ? WHERE run_key = ?', [
    JSON.stringify([...kept, ...warnings]),
    runKey,
  ]);
}

/** The leak warnings stored with a version (metrics.leakGuard), for a run that reuses it. */
function leakWarningsOf(metrics: unknown): string[] {
  const leaks = (metrics as { leakGuard?: unknown } | null)?.leakGuard;
  return Array.isArray(leaks) ? (leaks as DependenceSuspect[]).map(dependenceWarning) : [];
}
