import { setImmediate } from 'node:timers/promises';
import type { Pipeline } from '../../config/pipeline.ts';
import type { WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import { featureDrift } from '../features/drift/feature-drift.ts';
import { storeDrift } from '../features/drift/store-drift.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { evaluateChecks, type QualityFacts, type QualityResult } from './evaluate-checks.ts';
import { leakSuspects, leakWarning } from './leak-guard.ts';
import { assertNoBlock, rowCountHistory, storeQuality } from './store-quality.ts';
import { subgroupSuspects, subgroupWarning } from './subgroup-leak.ts';

type Columns = Pick<FeatureMatrix, 'featureNames' | 'categorical' | 'columns' | 'labels'>;

/**
 * A check run one feature at a time with the event loop back in between: each sorts or bins up to
 * drift.sampleRows rows, and all of them in one go held a worker's main thread for seconds.
 */
async function byFeature<T>(a: Columns, b: Columns, check: (a: Columns, b: Columns) => T[]): Promise<T[]> {
  const one = (m: Columns, j: number): Columns => ({
    featureNames: [m.featureNames[j]!],
    categorical: [m.categorical[j]!],
    columns: [m.columns[j]!],
    labels: m.labels,
  });
  const out: T[] = [];
  for (let j = 0; j < a.featureNames.length; j++) {
    out.push(...check(one(a, j), one(b, j)));
    await setImmediate();
  }
  return out;
}

export interface FeatureCheckOutcome {
  warnings: string[];
  quality: QualityResult[];
  significantDrift: string[];
}

/**
 * The features step's guards, both modes: leak guard on the training rows, the data-quality
 * checks the step can measure (base rate, and in labeled mode rows and null rates), PSI of every
 * feature between the training reference and the scoring rows. Results are stored per run; a
 * blocking check or (with drift.onSignificant = block) a significant drift fails the step.
 */
export async function runFeatureChecks(
  ctx: WorkContext,
  pipeline: Pipeline,
  train: Columns,
  score: Columns,
  facts: QualityFacts,
  reference: string,
): Promise<FeatureCheckOutcome> {
  const { run, pool } = ctx;
  const guard = pipeline.leakGuard;
  const leaks = (await byFeature(train, train, (t) => leakSuspects(t, guard.maxAuc))).sort(
    (a, b) => b.auc - a.auc,
  );
  // A feature the single-feature rule named already is not named twice.
  const named = new Set(leaks.map((l) => l.feature));
  const rule = {
    minPurity: guard.subgroupPurity,
    minShare: guard.subgroupShare,
    minRows: guard.subgroupMinRows,
  };
  const subgroups = (await byFeature(train, train, (t) => subgroupSuspects(t, rule))).filter(
    (s) => !named.has(s.feature),
  );
  const quality = evaluateChecks(
    pipeline.quality,
    facts,
    facts.rows === undefined ? [] : await rowCountHistory(pool, run),
  );
  await storeQuality(pool, run, 'features', quality);
  const drift = await byFeature(train, score, featureDrift);
  await storeDrift(pool, run.runKey, pipeline.name, 'feature', reference, drift);
  const significant = drift
    .filter((d) => d.band === 'significant')
    .map((d) => `${d.name} (PSI ${d.psi.toFixed(2)})`);
  const warnings = [
    ...leaks.map(leakWarning),
    ...subgroups.map(subgroupWarning),
    ...quality
      .filter((q) => q.outcome === 'warn')
      .map((q) => `data quality ${q.checkName}: ${q.message} (limit ${q.limit})`),
    ...(significant.length ? [`significant drift against ${reference}: ${significant.join(', ')}`] : []),
  ];
  for (const w of warnings) ctx.log.warn(w);
  assertNoBlock(quality);
  if (significant.length && pipeline.drift.onSignificant === 'block') {
    throw new PermanentError(
      `features drifted significantly against ${reference}: ${significant.join(', ')}`,
    );
  }
  return { warnings, quality, significantDrift: significant };
}
