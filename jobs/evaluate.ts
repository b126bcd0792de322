import { eq } from 'drizzle-orm';
import { modelVersions } from '../db/schema/index.ts';
import { CalibratedModel } from '../ml/calibration/calibrated-model.ts';
import { evaluateCalibrated } from '../ml/calibration/evaluate-calibrated.ts';
import type { BlendSpec, EngineName } from '../ml/engine.ts';
import { crossValidate, type CvSummary } from '../ml/evaluation/cross-validate.ts';
import { modeOf } from '../modes/index.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { decideRunPromotion } from '../pipeline/registry/decide-run-promotion.ts';
import { headlineMetrics } from '../pipeline/registry/headline-metrics.ts';
import { findRunVersion, readModel } from '../pipeline/registry/model-store.ts';
import { defineStep, type StepContext } from '../runner/step.ts';

/**
 * evaluate: scores the held-out validation rows with the run's model and records every metric,
 * with the operating threshold chosen on the same rows by the pipeline's rule; optionally
 * k-fold CV (where the mode allows it). Then the champion/challenger decision on those same rows:
 * the score step publishes from the champion only. No usable champion fails the run ("model
 * gate"), so yesterday's scores stay published rather than tonight's garbage.
 */
export const evaluate = defineStep({
  name: 'evaluate',
  async handler(ctx) {
    const { run, db, pool, log, signal } = ctx;
    const valid = await modeOf(run.pipeline).readFeatures({ db, pool }, run.runKey, 'valid');
    const used = await findRunVersion(db, run.runKey);
    if (!used) throw new PermanentError(`no model for ${run.runKey}: the train step has not run`);
    const { version, reused } = used;
    const model = await readModel(db, version);
    // Scored and measured off the event loop (worker threads): the job lock keeps renewing.
    const evaluation = await evaluateCalibrated(
      model,
      valid,
      run.pipeline.model.threshold,
      run.pipeline.model.seed,
      { signal },
    );
    // Flat headline figures beside the full evaluation: what status, reports and gates read.
    const metrics = {
      ...evaluation,
      ...evaluation.atThreshold,
      prAuc: evaluation.averagePrecision,
      baseRate: evaluation.prevalence,
    };
    const importance = model.featureImportance();
    const featureImportance = valid.featureNames
      .map((feature, i) => ({ feature, importance: importance[i] ?? 0 }))
      .sort((a, b) => b.importance - a.importance);
    const cv = await crossValidation(ctx, version.engine, (version.params as { blend?: BlendSpec }).blend);
    const calibration = model instanceof CalibratedModel ? model.report : null;
    // The train step's record of every candidate engine is kept beside tonight's figures.
    const fromTrain = (version.metrics ?? {}) as Record<string, unknown>;
    const stored = {
      ...fromTrain,
      ...metrics,
      featureImportance,
      validationRows: valid.nRows,
      cv,
      calibration,
    };
    await db
      .update(modelVersions)
      .set({ metrics: stored, threshold: metrics.threshold })
      .where(eq(modelVersions.id, version.id));

    const decision = await decideRunPromotion({
      db,
      pool,
      pipeline: run.pipeline,
      runKey: run.runKey,
      challenger: { id: version.id, metrics: headlineMetrics(evaluation) },
      reused,
      valid,
      log,
    });
    if (!decision.publishable) throw new PermanentError(`model gate: ${decision.reason}`);
    return {
      rowsIn: valid.nRows,
      details: {
        modelVersion: version.version,
        rocAuc: metrics.rocAuc,
        prAuc: metrics.prAuc,
        f1: metrics.f1,
        accuracy: metrics.accuracy,
        threshold: metrics.threshold,
        ...(calibration
          ? {
              calibration: calibration.method,
              eceBefore: calibration.eceBefore,
              eceAfter: calibration.eceAfter,
            }
          : {}),
        ...(cv ? { cvRocAuc: cv.rocAuc.mean, cvRocAucSd: cv.rocAuc.sd } : {}),
        promoted: decision.promoted,
        champion: decision.resultNumber,
        decision: decision.reason,
      },
    };
  },
});

/** The pipeline's k-fold CV on the training rows, when it asks for folds and its mode allows them. */
async function crossValidation(
  { run, db, pool, config, log, signal, progress }: StepContext,
  engine: string,
  blend: BlendSpec | undefined,
): Promise<CvSummary | null> {
  const folds = run.pipeline.evaluation.cvFolds;
  if (folds <= 0) return null;
  const mode = modeOf(run.pipeline);
  if (!mode.kFold.allowed) {
    log.warn({ folds }, `cvFolds ignored: ${mode.kFold.reason}`);
    return null;
  }
  const train = await mode.readFeatures({ db, pool }, run.runKey, 'train');
  // The engine the run's model has (engine "auto" picked it in the train step).
  return crossValidate(train, { ...run.pipeline.model, engine: engine as EngineName, blend }, folds, {
    threads: config.CPD_THREADS,
    signal,
    onFold: (done, total) => void progress(Math.round((done / total) * 90)),
  });
}
