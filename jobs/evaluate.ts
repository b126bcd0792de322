import { eq } from 'drizzle-orm';
import { modelVersions } from '../db/schema/index.ts';
import { evaluateBinary } from '../ml/metrics.ts';
import { defineStep } from './define-step.ts';
import { readFeatureMatrix } from './feature-matrix.ts';
import { loadRunModel } from './model-store.ts';

/**
 * evaluate: scores the held-out validation rows with the run's model and records every metric,
 * with the operating threshold chosen on the same rows by the pipeline's rule.
 */
export const evaluate = defineStep({
  name: 'evaluate',
  jobName: 'pipeline.evaluate-model',
  async handler({ run, db }) {
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
    const stored = { ...metrics, featureImportance, validationRows: valid.nRows };
    await db.update(modelVersions).set({ metrics: stored, threshold: metrics.threshold }).where(eq(modelVersions.id, version.id));
    return {
      rowsIn: valid.nRows,
      details: { modelVersion: version.id, rocAuc: metrics.rocAuc, prAuc: metrics.prAuc, f1: metrics.f1, accuracy: metrics.accuracy, threshold: metrics.threshold },
    };
  },
});
