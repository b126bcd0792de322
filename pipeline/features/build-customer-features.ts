import type { ExecuteValues, PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { ValueFit } from '../../ml/value/customer-value.ts';
import { fitAndPredictValueOffThread } from '../../ml/value/value-off-thread.ts';
import type { StepResult, WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import { runFeatureChecks } from '../quality/feature-checks.ts';
import { stopwatch } from '../stopwatch.ts';
import { HistoryCollector } from '../value/history-collector.ts';
import { type SnapshotValue, stageSnapshotValue, valueOptions } from '../value/snapshot-value.ts';
import {
  categoricalFeatures,
  customerFeatureNames,
  insertSnapshot,
  valueFeatureNames,
} from './customer-feature-sql.ts';
import { refuseCutoffPastData } from './cutoff-in-data.ts';
import { type Snapshot, snapshotsFor } from './cutoffs.ts';
import {
  type CustomerFeatureLayout,
  type QueryRows,
  readCustomerFeatures,
} from './read-customer-features.ts';
import { type PurchaseSink, stageCustomerAggregates } from './stage-customer-aggregates.ts';

type Role = 'train' | 'valid' | 'score';

/** The staged per-customer aggregates of every snapshot (a temporary table of the step's connection). */
const AGGREGATES = 'tmp_customer_agg';

/**
 * Transactions mode's features: every snapshot's per-customer aggregates staged in one pass over
 * the orders, then one INSERT … SELECT per snapshot into customer_features, the
 * guards (leak, base rate, drift) on a deterministic sample, and the feature_sets row that tells
 * train/evaluate/score where the rows are, all in one transaction.
 */
export async function buildCustomerFeatures(
  ctx: WorkContext,
  pipeline: TransactionsPipeline,
): Promise<StepResult> {
  const { run, pool, progress } = ctx;
  const snaps = snapshotsFor(pipeline, run.businessDate);
  await refuseCutoffPastData(pool, run.runKey, pipeline, run.businessDate);
  const conn = await pool.getConnection();
  try {
    return await inTransaction(conn, async () => {
      for (const t of ['customer_features', 'feature_rows', 'feature_sets'])
        await conn.query(`DELETE FROM ${t} WHERE run_key = ?`, [run.runKey]);
      const counts: Record<Role, number> = { train: 0, valid: 0, score: 0 };
      // Milliseconds per phase, in the step's details: where the step's time goes at scale.
      const timings: Record<string, number> = {};
      const lap = stopwatch(timings);
      const value = await customerValue(snaps, pipeline, lap, conn, {
        stage: (purchase) => stageCustomerAggregates(conn, pool, run.runKey, snaps, AGGREGATES, purchase),
        insert: async (i, s, table) => {
          counts[s.role] += await insertSnapshot(
            conn,
            run.runKey,
            s,
            i,
            pipeline.population.activeDays,
            AGGREGATES,
            table,
          );
          lap(`insert_${i}`);
          await progress(Math.round(((i + 1) / snaps.length) * 70));
        },
      });
      await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${AGGREGATES}`);
      for (const s of snaps) {
        if (counts[s.role] === 0)
          throw new PermanentError(
            `no customers with a purchase before the ${s.role} cutoff ${s.cutoff}: load more history or shorten label.horizonDays`,
          );
      }
      const layout: CustomerFeatureLayout = {
        layout: 'customer_features',
        features: value.features,
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
        (await conn.execute({ sql, rowsAsArray: true }, params as ExecuteValues[]))[0] as unknown[][];
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
      const warnings = [...checks.warnings, ...value.warnings];
      await conn.query(
        'INSERT INTO feature_sets (run_key, feature_names, categorical, encoders, rows_train, rows_valid, rows_score, warnings, customer_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          run.runKey,
          JSON.stringify(value.features),
          JSON.stringify(value.features.map((n) => categoricalFeatures.has(n))),
          JSON.stringify(layout),
          counts.train,
          counts.valid,
          counts.score,
          JSON.stringify(warnings),
          JSON.stringify(value.record),
        ],
      );
      lap('checks');
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
          warnings,
          customerValue: value.summary,
          timings,
        },
      };
    });
  } finally {
    conn.release();
  }
}

/** What feature_sets.customer_value holds: every snapshot's fit, and whether the classifier got the features. */
export interface CustomerValueRecord {
  unit: string;
  horizonDays: number;
  classifierFeatures: boolean;
  snapshots: SnapshotValue[];
}

/**
 * Customer value per snapshot (each fitted on its own history, so the training rows' P(alive) is
 * as point-in-time as their other features), and each snapshot's rows written by `insert` with
 * its figures staged in a table it joins. Every history comes from one pass over the orders; the
 * next snapshot's fit runs on a thread while this one's rows are written. The two figures join
 * the classifier only when every snapshot has them: a feature missing on one role would mean
 * something else on another.
 */
async function customerValue(
  snaps: ReturnType<typeof snapshotsFor>,
  pipeline: TransactionsPipeline,
  lap: (phase: string) => void,
  conn: PoolConnection,
  {
    stage,
    insert,
  }: {
    /**
     * Stages every snapshot's aggregates (one pass over the orders), before the first insert;
     * `purchase` sees the pass's purchase orders.
     */
    stage: (purchase?: PurchaseSink) => Promise<unknown>;
    insert: (i: number, snap: Snapshot, valueTable: string | null) => Promise<void>;
  },
): Promise<{
  features: string[];
  warnings: string[];
  record: CustomerValueRecord | null;
  summary: Record<string, unknown> | null;
}> {
  const base = [...customerFeatureNames];
  if (!pipeline.value.enabled) {
    await stage();
    lap('pass');
    for (const [i, s] of snaps.entries()) await insert(i, s, null);
    return { features: base, warnings: [], record: null, summary: null };
  }
  const o = valueOptions(pipeline);
  // The orders' one pass stages the aggregates and collects every snapshot's histories.
  const collector = new HistoryCollector(snaps);
  await stage(collector);
  const histories = collector.done();
  lap('pass');
  const fits: Promise<ValueFit>[] = [];
  const start = (i: number) => {
    // Minutes at a million customers: on a thread, so this worker keeps renewing its job lock.
    if (i < snaps.length) fits[i] = fitAndPredictValueOffThread(histories[i]!.h, o);
    // A failed fit is awaited (and thrown) in its turn; never an unhandled rejection meanwhile.
    fits[i]?.catch(() => undefined);
  };
  start(0);
  const values: SnapshotValue[] = [];
  const table = 'tmp_customer_value';
  for (const [i, s] of snaps.entries()) {
    start(i + 1);
    const fit = await fits[i]!;
    lap(`fit_wait_${i}`);
    const staged = await stageSnapshotValue(conn, s, histories[i]!, fit, table, o);
    lap(`value_${i}`);
    values.push(staged.value);
    await insert(i, s, staged.table);
    await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${table}`);
  }
  const usable = values.every((v) => v.written.orders);
  const warnings = values.flatMap((v) => v.warnings);
  if (!usable)
    warnings.push(
      'customer value: P(alive) and expected orders are left out of the classifier tonight (see above)',
    );
  const score = values.find((v) => v.role === 'score');
  const valid = values.find((v) => v.role === 'valid');
  return {
    features: usable ? [...base, ...valueFeatureNames] : base,
    warnings,
    record: {
      unit: pipeline.value.unit,
      horizonDays: pipeline.label.horizonDays,
      classifierFeatures: usable,
      snapshots: values,
    },
    summary: {
      unit: pipeline.value.unit,
      classifierFeatures: usable,
      score: score && { bgNbd: score.bgNbd, gammaGamma: score.gammaGamma },
      validOrdersMae: valid?.evaluation?.ordersMae ?? null,
    },
  };
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
