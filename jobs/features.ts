import { createHash } from 'node:crypto';
import { and, asc, eq, gt } from 'drizzle-orm';
import { cleanRows, sourceFiles } from '../db/schema/index.ts';
import type { FeatureRole } from '../db/schema/index.ts';
import { defineStep } from '../runner/step.ts';
import { PermanentError } from '../pipeline/errors.ts';
import type { QualityFacts } from '../pipeline/quality/evaluate-checks.ts';
import { runFeatureChecks } from '../pipeline/quality/feature-checks.ts';
import { runTransactionFeatures } from '../modes/transactions-features.ts';
import { inTransaction } from '../db/transaction.ts';

const CHUNK = 10_000;

interface Example {
  id: string;
  label: 0 | 1;
  values: Record<string, number | boolean | string | null>;
}

/** Categorical codes in sorted order of the values, so the encoding is the same on every run. */
export interface Encoders {
  categories: Record<string, string[]>;
}

/**
 * features (labeled mode): encodes clean rows for the forest (numbers as they are, booleans 0/1,
 * categories as stable integer codes, missing as NaN) and splits them, stratified and seeded,
 * into train and validation sets; every row is also a scoring row.
 */
export const features = defineStep({
  name: 'features',
  async handler(ctx) {
    const { run, db, pool, progress } = ctx;
    const pipeline = run.pipeline;
    if (pipeline.mode === 'transactions') return runTransactionFeatures(ctx, pipeline);
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
      for (const r of chunk) examples.push({ id: r.id, label: r.label === 1 ? 1 : 0, values: parseValues(r.values) });
    }
    if (examples.length === 0) throw new PermanentError(`no clean rows for ${run.runKey}: nothing to learn from`);
    const [file] = await db.select({ header: sourceFiles.header }).from(sourceFiles).where(eq(sourceFiles.runKey, run.runKey)).limit(1);
    const names = (file?.header ?? []).filter((h) => h in examples[0]!.values);
    const encoders = buildEncoders(names, examples);
    const categorical = names.map((n) => n in encoders.categories);
    const roles = splitRoles(examples, pipeline.model.validationShare, pipeline.model.seed);
    const positives = examples.reduce((n, e) => n + e.label, 0);
    if (positives === 0 || positives === examples.length) {
      throw new PermanentError(`label column "${pipeline.columns.label.column}" has only one class (${positives} positives of ${examples.length})`, {
        column: pipeline.columns.label.column,
      });
    }
    const vectors = examples.map((ex) => encode(names, encoders, ex));
    const trainCols = toColumns(names, vectors, roles, 'train', examples);
    const checks = await runFeatureChecks(ctx, pipeline, { ...trainCols, featureNames: names, categorical }, { ...toColumns(names, vectors, null, 'train', examples), featureNames: names, categorical }, labeledFacts(names, examples, positives), 'train rows');

    const counts: Record<FeatureRole, number> = { train: 0, valid: 0, score: 0 };
    await inTransaction(pool, async (conn) => {
      await conn.query('DELETE FROM feature_rows WHERE run_key = ?', [run.runKey]);
      await conn.query('DELETE FROM feature_sets WHERE run_key = ?', [run.runKey]);
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length) await conn.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [batch]);
        batch = [];
      };
      for (const [i, ex] of examples.entries()) {
        const vec = Buffer.from(vectors[i]!.buffer);
        const role = roles[i]!;
        batch.push([run.runKey, role, ex.id, ex.label, vec], [run.runKey, 'score', ex.id, ex.label, vec]);
        counts[role]++;
        counts.score++;
        if (batch.length >= 2_000) {
          await flush();
          await progress(Math.round((i / examples.length) * 100));
        }
      }
      await flush();
      await conn.query(
        'INSERT INTO feature_sets (run_key, feature_names, categorical, encoders, rows_train, rows_valid, rows_score, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [run.runKey, JSON.stringify(names), JSON.stringify(categorical), JSON.stringify(encoders), counts.train, counts.valid, counts.score, JSON.stringify(checks.warnings)],
      );
    });
    return {
      rowsIn: examples.length,
      rowsOut: counts.score,
      details: { features: names, rowsTrain: counts.train, rowsValid: counts.valid, baseRate: positives / examples.length, warnings: checks.warnings },
    };
  },
});

/** Columns of the rows with the given role (null: every row), for the guards. */
function toColumns(names: string[], vectors: Float64Array[], roles: string[] | null, role: string, examples: Example[]) {
  const idx = vectors.map((_, i) => i).filter((i) => roles === null || roles[i] === role);
  return {
    columns: names.map((_, j) => Float64Array.from(idx, (i) => vectors[i]![j]!)),
    labels: Uint8Array.from(idx, (i) => examples[i]!.label),
  };
}

/** Labeled mode measures rows, null rates per column and the base rate (no dates: no freshness). */
function labeledFacts(names: string[], examples: Example[], positives: number): QualityFacts {
  const nullRates = Object.fromEntries(names.map((n) => [n, examples.filter((e) => e.values[n] === null).length / examples.length]));
  return { rows: examples.length, nullRates, baseRate: positives / examples.length };
}

function parseValues(v: unknown): Example['values'] {
  // mysql2 returns MariaDB JSON columns as text.
  return (typeof v === 'string' ? JSON.parse(v) : v) as Example['values'];
}

export function buildEncoders(names: string[], examples: Example[]): Encoders {
  const categories: Record<string, string[]> = {};
  for (const name of names) {
    const sample = examples.find((e) => e.values[name] !== null)?.values[name];
    if (typeof sample !== 'string') continue;
    const set = new Set<string>();
    for (const e of examples) {
      const v = e.values[name];
      if (typeof v === 'string') set.add(v);
    }
    categories[name] = [...set].sort();
  }
  return { categories };
}

export function encode(names: string[], encoders: Encoders, ex: Pick<Example, 'values'>): Float64Array {
  const out = new Float64Array(names.length);
  names.forEach((name, j) => {
    const v = ex.values[name];
    const cats = encoders.categories[name];
    if (v === null || v === undefined) out[j] = NaN;
    else if (cats) out[j] = typeof v === 'string' ? cats.indexOf(v) : NaN;
    else if (typeof v === 'boolean') out[j] = v ? 1 : 0;
    else out[j] = typeof v === 'number' ? v : NaN;
  });
  return out;
}

/** Stratified, seeded split: within each class, rows ordered by a hash of (seed, id); the first share validate. */
export function splitRoles(examples: Pick<Example, 'id' | 'label'>[], validShare: number, seed: number): ('train' | 'valid')[] {
  const roles: ('train' | 'valid')[] = new Array(examples.length).fill('train');
  for (const cls of [0, 1] as const) {
    const idx = examples.map((e, i) => (e.label === cls ? i : -1)).filter((i) => i >= 0);
    const keyed = idx.map((i) => ({ i, k: createHash('sha256').update(`${seed}:${examples[i]!.id}`).digest('hex') }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    const nValid = Math.round(keyed.length * validShare);
    for (let j = 0; j < nValid; j++) roles[keyed[j]!.i] = 'valid';
  }
  return roles;
}
