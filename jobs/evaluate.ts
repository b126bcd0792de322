import { eq } from 'drizzle-orm';
import { modelVersions } from '../db/schema/index.ts';
import { evaluateBinary } from '../ml/metrics.ts';
import { defineStep } from '../runner/step.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { crossValidate, type CvSummary } from '../ml/evaluation/cross-validate.ts';
import { readFeatureMatrix } from '../pipeline/features/feature-matrix.ts';
import { loadRunModel } from '../pipeline/registry/model-store.ts';
import { decideRunPromotion } from '../pipeline/registry/decide-run-promotion.ts';
import { headlineMetrics } from '../pipeline/registry/headline-metrics.ts';

/**
 * evaluate: scores the held-out validation rows with the run's model and records every metric,
 * with the operating threshold chosen on the same rows by the pipeline's rule; optionally
 * k-fold CV (labeled tables). Then the champion/challenger decision on those same rows: the
 * score step publishes from the champion only. No usable champion fails the run ("model
 * gate"), so yesterday's scores stay published rather than tonight's garbage.
 */
export const evaluate = defineStep({
  name: 'evaluate',
  async handler({ run, db, config, log, signal, progress }) {
    const valid = await readFeatureMatrix(db, run.runKey, 'valid');
    const { version, model } = await loadRunModel(db, run.runKey);
    const scores = model.predictProba(valid.columns);
    const evaluation = evaluateBinary(valid.labels, scores, run.pipeline.model.threshold);
    // Flat headline figures beside the full evaluation: what status, reports and gates read.
    const metrics = { ...evaluation, ...evaluation.atThreshold, prAuc: evaluation.averagePrecision, baseRate: evaluation.prevalence };
    const importance = model.featureImportance();
    const featureImportance = valid.featureNames
      .map((feature, i) => ({ feature, importance: importance[i] ?? 0 }))
      .sort((a, b) => b.importance - a.importance);
    let cv: CvSummary | null = null;
    const folds = run.pipeline.evaluation.cvFolds;
    if (folds > 0 && run.pipeline.mode === 'labeled') {
      const train = await readFeatureMatrix(db, run.runKey, 'train');
      cv = await crossValidate(train, { ...run.pipeline.model }, folds, {
        threads: config.CPD_THREADS,
        signal,
        onFold: (done, total) => void progress(Math.round((done / total) * 90)),
      });
    } else if (folds > 0) log.warn({ folds }, 'cvFolds ignored: transactions pipelines validate on a later time window, shuffled folds would leak the future');
    const stored = { ...metrics, featureImportance, validationRows: valid.nRows, cv };
    await db.update(modelVersions).set({ metrics: stored, threshold: metrics.threshold }).where(eq(modelVersions.id, version.id));

    const decision = await decideRunPromotion({
      db,
      pipeline: run.pipeline,
      runKey: run.runKey,
      challenger: { id: version.id, metrics: headlineMetrics(evaluation) },
      valid,
      log,
    });
    if (!decision.publishable) throw new PermanentError(`model gate: ${decision.reason}`);
    return {
      rowsIn: valid.nRows,
      details: {
        modelVersion: version.id,
        rocAuc: metrics.rocAuc,
        prAuc: metrics.prAuc,
        f1: metrics.f1,
        accuracy: metrics.accuracy,
        threshold: metrics.threshold,
        ...(cv ? { cvRocAuc: cv.rocAuc.mean, cvRocAucSd: cv.rocAuc.sd } : {}),
        promoted: decision.promoted,
        champion: decision.resultVersion,
        decision: decision.reason,
      },
    };
  },
});
