import { and, asc, eq, gt } from 'drizzle-orm';
import type { LabeledPipeline } from '../../config/pipeline.ts';
import { cleanRows, type FeatureRole, sourceFiles } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { StepResult, WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import type { QualityFacts } from '../quality/evaluate-checks.ts';
import { runFeatureChecks } from '../quality/feature-checks.ts';
import { buildEncoders, encode, type Example, splitRoles } from './labeled-encoding.ts';

const CHUNK = 10_000;

/**
 * Labeled mode's features: encodes clean rows for the forest (numbers as they are, booleans 0/1,
 * categories as stable integer codes, missing as NaN) and splits them, stratified and seeded,
 * into train and validation sets (labeled rows only); every row is also a scoring row. feature_rows and feature_sets
 * of the run are replaced in one transaction.
 */
export async function buildFeatureRows(ctx: WorkContext, pipeline: LabeledPipeline): Promise<StepResult> {
  const { run, db, pool, progress } = ctx;
  const examples: Example[] = [];
  let lastId = '';
  for (;;) {
    const chunk = await db
      .select({ id: cleanRows.rowId, label: cleanRows.label, values: cleanRows.values })
      .from(cleanRows)
      .where(and(eq(cleanRows.runKey, run.runKey), gt(cleanRows.rowId, lastId)))
      .orderBy(asc(cleanRows.rowId))
      .limit(CHUNK);
    if (chunk.length === 0) break;
    lastId = chunk[chunk.length - 1]!.id;
    for (const r of chunk)
      examples.push({ id: r.id, label: r.label === null ? null : r.label === 1 ? 1 : 0, values: r.values });
  }
  if (examples.length === 0)
    throw new PermanentError(`no clean rows for ${run.runKey}: nothing to learn from`);
  const [file] = await db
    .select({ header: sourceFiles.header })
    .from(sourceFiles)
    .where(eq(sourceFiles.runKey, run.runKey))
    .limit(1);
  const names = (file?.header ?? []).filter((h) => h in examples[0]!.values);
  const encoders = buildEncoders(names, examples);
  const categorical = names.map((n) => n in encoders.categories);
  const roles = splitRoles(examples, pipeline.model.validationShare, pipeline.model.seed);
  const labeled = examples.filter((e) => e.label !== null).length;
  const positives = examples.reduce((n, e) => n + (e.label ?? 0), 0);
  if (positives === 0 || positives === labeled) {
    throw new PermanentError(
      `label column "${pipeline.columns.label.column}" has only one class (${positives} positives of ${labeled} labeled rows)`,
      {
        column: pipeline.columns.label.column,
      },
    );
  }
  const vectors = examples.map((ex) => encode(names, encoders, ex));
  const train = { ...toColumns(names, vectors, roles, 'train', examples), featureNames: names, categorical };
  // Drift compares the training rows with the population to act on (the rows whose outcome is
  // unknown), never with a superset of themselves; with none, with the held-out validation rows.
  const unknown = labeled < examples.length;
  const current = {
    ...toColumns(names, vectors, roles, unknown ? null : 'valid', examples),
    featureNames: names,
    categorical,
  };
  const checks = await runFeatureChecks(
    ctx,
    pipeline,
    train,
    current,
    labeledFacts(names, examples, positives, labeled),
    unknown
      ? `train rows vs ${examples.length - labeled} rows of unknown outcome`
      : 'train rows vs validation rows (no row of unknown outcome)',
  );

  const counts: Record<FeatureRole, number> = { train: 0, valid: 0, score: 0 };
  await inTransaction(pool, async (conn) => {
    await conn.query('DELETE FROM feature_rows WHERE run_key = ?', [run.runKey]);
    await conn.query('DELETE FROM feature_sets WHERE run_key = ?', [run.runKey]);
    let batch: unknown[][] = [];
    const flush = async () => {
      if (batch.length)
        await conn.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [batch]);
      batch = [];
    };
    for (const [i, ex] of examples.entries()) {
      const vec = Buffer.from(vectors[i]!.buffer);
      const role = roles[i];
      // Every row is a scoring row; labeled ones are also train or valid rows.
      if (role) {
        batch.push([run.runKey, role, ex.id, ex.label, vec]);
        counts[role]++;
      }
      batch.push([run.runKey, 'score', ex.id, ex.label, vec]);
      counts.score++;
      if (batch.length >= 2_000) {
        await flush();
        await progress(Math.round((i / examples.length) * 100));
      }
    }
    await flush();
    await conn.query(
      'INSERT INTO feature_sets (run_key, feature_names, categorical, encoders, rows_train, rows_valid, rows_score, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        run.runKey,
        JSON.stringify(names),
        JSON.stringify(categorical),
        JSON.stringify(encoders),
        counts.train,
        counts.valid,
        counts.score,
        JSON.stringify(checks.warnings),
      ],
    );
  });
  return {
    rowsIn: examples.length,
    rowsOut: counts.score,
    details: {
      features: names,
      rowsTrain: counts.train,
      rowsValid: counts.valid,
      rowsUnknownOutcome: examples.length - labeled,
      baseRate: positives / labeled,
      warnings: checks.warnings,
    },
  };
}

/** Columns of the rows with the given role (null: the rows of unknown outcome), for the guards. */
function toColumns(
  names: string[],
  vectors: Float64Array[],
  roles: (string | null)[],
  role: string | null,
  examples: Example[],
) {
  const idx = vectors.map((_, i) => i).filter((i) => roles[i] === role);
  return {
    columns: names.map((_, j) => Float64Array.from(idx, (i) => vectors[i]![j]!)),
    labels: Uint8Array.from(idx, (i) => examples[i]!.label ?? 0),
  };
}

/** Labeled mode measures rows, null rates per column and the base rate of labeled rows (no dates: no freshness). */
function labeledFacts(
  names: string[],
  examples: Example[],
  positives: number,
  labeled: number,
): QualityFacts {
  const nullRates = Object.fromEntries(
    names.map((n) => [n, examples.filter((e) => e.values[n] === null).length / examples.length]),
  );
  return { rows: examples.length, nullRates, baseRate: positives / labeled };
}
