import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { StepResult, WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import { runFeatureChecks } from '../quality/feature-checks.ts';
import { categoricalFeatures, customerFeatureNames, insertSnapshot } from './customer-feature-sql.ts';
import { snapshotsFor } from './cutoffs.ts';
import {
  type CustomerFeatureLayout,
  type QueryRows,
  readCustomerFeatures,
} from './read-customer-features.ts';

type Role = 'train' | 'valid' | 'score';

/**
 * Transactions mode's features: one INSERT … SELECT per snapshot into customer_features, the
 * guards (leak, base rate, drift) on a deterministic sample, and the feature_sets row that tells
 * train/evaluate/score where the rows are, all in one transaction.
 */
export async function buildCustomerFeatures(
  ctx: WorkContext,
  pipeline: TransactionsPipeline,
): Promise<StepResult> {
  const { run, pool, progress } = ctx;
  const snaps = snapshotsFor(pipeline, run.businessDate);
  const conn = await pool.getConnection();
  try {
    // The latest purchase's country comes from GROUP_CONCAT: MySQL's 1 KiB default would truncate (an error under strict mode).
    await conn.query('SET SESSION group_concat_max_len = 1048576');
    return await inTransaction(conn, async () => {
      for (const t of ['customer_features', 'feature_rows', 'feature_sets'])
        await conn.query(`DELETE FROM ${t} WHERE run_key = ?`, [run.runKey]);
      const counts: Record<Role, number> = { train: 0, valid: 0, score: 0 };
      for (const [i, s] of snaps.entries()) {
        counts[s.role] += await insertSnapshot(conn, run.runKey, s, pipeline.population.activeDays);
        await progress(Math.round(((i + 1) / snaps.length) * 70));
      }
      for (const s of snaps) {
        if (counts[s.role] === 0)
          throw new PermanentError(
            `no customers with a purchase before the ${s.role} cutoff ${s.cutoff}: load more history or shorten label.horizonDays`,
          );
      }
      const layout: CustomerFeatureLayout = {
        layout: 'customer_features',
        categories: await categories(conn, run.runKey),
        cutoffs: {
          train: cutoffsOf(snaps, 'train'),
          valid: cutoffsOf(snaps, 'valid'),
          score: cutoffsOf(snaps, 'score'),
        },
      };
      const rates = await baseRates(conn, run.runKey);
      if (rates.train === 0 || rates.train === 1)
        throw new PermanentError(
          `the training rows have one class only (base rate ${rates.train}): nothing to learn`,
        );
      const query: QueryRows = async (sql, params) =>
        (await conn.query(sql, params))[0] as Record<string, unknown>[];
      const every = (n: number) => Math.max(1, Math.ceil(n / pipeline.drift.sampleRows));
      const train = await readCustomerFeatures(query, run.runKey, 'train', layout, every(counts.train));
      const score = await readCustomerFeatures(query, run.runKey, 'score', layout, every(counts.score));
      const checks = await runFeatureChecks(
        ctx,
        pipeline,
        train,
        score,
        { baseRate: rates.train },
        `train@${layout.cutoffs.train.join(',')}`,
      );
      await conn.query(
        'INSERT INTO feature_sets (run_key, feature_names, categorical, encoders, rows_train, rows_valid, rows_score, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          run.runKey,
          JSON.stringify(customerFeatureNames),
          JSON.stringify(customerFeatureNames.map((n) => categoricalFeatures.has(n))),
          JSON.stringify(layout),
          counts.train,
          counts.valid,
          counts.score,
          JSON.stringify(checks.warnings),
        ],
      );
      await progress(100);
      return {
        rowsIn: counts.train + counts.valid + counts.score,
        rowsOut: counts.score,
        details: {
          snapshots: snaps,
          rowsTrain: counts.train,
          rowsValid: counts.valid,
          rowsScore: counts.score,
          baseRate: rates.train,
          baseRateValid: rates.valid,
          warnings: checks.warnings,
        },
      };
    });
  } finally {
    conn.release();
  }
}

function cutoffsOf(snaps: ReturnType<typeof snapshotsFor>, role: Role): string[] {
  return snaps
    .filter((s) => s.role === role)
    .map((s) => s.cutoff)
    .sort();
}

async function categories(conn: PoolConnection, runKey: string): Promise<Record<string, string[]>> {
  const [rows] = await conn.query(
    'SELECT DISTINCT country FROM customer_features WHERE run_key = ? AND country IS NOT NULL',
    [runKey],
  );
  // Sorted in JS, not by the column collation: the codes must not depend on the server's settings.
  return { country: (rows as { country: string }[]).map((r) => r.country).sort() };
}

async function baseRates(conn: PoolConnection, runKey: string): Promise<Record<'train' | 'valid', number>> {
  const [rows] = await conn.query(
    "SELECT role, AVG(label) AS rate FROM customer_features WHERE run_key = ? AND role IN ('train', 'valid') GROUP BY role",
    [runKey],
  );
  const by = new Map((rows as { role: string; rate: string }[]).map((r) => [r.role, Number(r.rate)]));
  return { train: by.get('train') ?? 0, valid: by.get('valid') ?? 0 };
}
