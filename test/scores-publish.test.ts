import { and, asc, desc, eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../db/client.ts';
import { customerScoreHistory, scorePublications, stepRuns } from '../db/schema/index.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { scoringPipeline, seedScoringNight } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

/** Customers of one night: the synthetic set's features, ids that sort like their row number. */
function customers(n: number, seed: number): { ids: string[]; columns: Float64Array[] } {
  const d = makeSynthetic({ nRows: n, seed });
  return { ids: Array.from({ length: n }, (_, i) => `c${String(i).padStart(7, '0')}`), columns: d.columns };
}

describe('scores: staged, swapped atomically, explained, rerun-safe', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let queues: Queues;
  let model: Model;
  let jobs = 0;

  beforeAll(async () => {
    t = await createTestEnv('scorespub');
    worker = spawnCpd(['worker', '--queues', 'score'], t.env);
    queues = createQueues(t.config);
    model = await trainModel(
      makeSynthetic({ nRows: 3_000, seed: 3 }),
      { nTrees: 20, maxDepth: 10, seed: 1 },
      { threads: 1 },
    );
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.stop();
    await t?.cleanup();
  });

  /** Runs the real score step in the worker process; resolves with its step_runs row. */
  async function scoreStep(runKey: string) {
    const { db } = t.database;
    const [before] = await db
      .select({ id: stepRuns.id })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score')))
      .orderBy(desc(stepRuns.id))
      .limit(1);
    await queues
      .queue('score')
      .add('score', { runKey, step: 'score' }, { jobId: `${runKey}.test${++jobs}.score`, attempts: 1 });
    return waitFor(`score step of ${runKey}`, async () => {
      const [row] = await db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score')))
        .orderBy(desc(stepRuns.id))
        .limit(1);
      if (!row || row.id === before?.id || row.status === 'running') return undefined;
      if (row.status !== 'succeeded')
        throw new Error(`score of ${runKey} failed: ${row.error}\n${worker.output()}`);
      return row;
    });
  }

  async function tableRows(sql: string): Promise<Record<string, unknown>[]> {
    const [rows] = await t.database.pool.query(sql);
    return rows as Record<string, unknown>[];
  }

  it('a reader counting customer_scores during three publishes never sees an empty, partial or missing table; a rerun gives the same table', async () => {
    const pipeline = scoringPipeline('shop');
    const n1 = 30_000;
    const n2 = 29_000;
    await seedScoringNight(t.database, pipeline, {
      runKey: 'shop@2026-11-01',
      businessDate: '2026-11-01',
      model,
      ...customers(n1, 7),
    });
    await seedScoringNight(t.database, pipeline, {
      runKey: 'shop@2026-11-02',
      businessDate: '2026-11-02',
      model,
      ...customers(n2, 8),
    });

    // A separate, real connection, like an analyst's client.
    const reader = await mysql.createConnection(connectionOptions(t.config.DATABASE_URL));
    const seen: number[] = [];
    const errors: string[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const [rows] = await reader.query('SELECT COUNT(*) AS n FROM customer_scores');
          seen.push(Number((rows as { n: number }[])[0]!.n));
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    })();
    await waitFor('the reader to start', async () => seen.length > 0);
    await scoreStep('shop@2026-11-01');
    await scoreStep('shop@2026-11-02');
    const before = await tableRows(
      'SELECT customer_id, score, decile, segment, reasons, run_key FROM customer_scores ORDER BY customer_id',
    );
    await scoreStep('shop@2026-11-02');
    await waitFor('a few more reads', async () => seen.length > 50);
    stop = true;
    await loop;
    await reader.end();

    expect(errors).toEqual([]);
    const firstPublished = seen.findIndex((c) => c !== 0);
    expect(firstPublished).toBeGreaterThanOrEqual(0);
    // Before the first publish the view reads the empty layout table; after it, only whole nights.
    expect(new Set(seen.slice(firstPublished))).toEqual(new Set([n1, n2]));
    expect(seen.slice(0, firstPublished).every((c) => c === 0)).toBe(true);

    const after = await tableRows(
      'SELECT customer_id, score, decile, segment, reasons, run_key FROM customer_scores ORDER BY customer_id',
    );
    expect(after).toHaveLength(n2);
    expect(after).toEqual(before);
    // Previous is still the night before, not a copy of the rerun night.
    const prev = await tableRows('SELECT run_key, COUNT(*) AS n FROM customer_scores_prev GROUP BY run_key');
    expect(prev).toEqual([{ run_key: 'shop@2026-11-01', n: n1 }]);
    const history = await t.database.db
      .select({ d: customerScoreHistory.businessDate })
      .from(customerScoreHistory);
    expect(history.filter((h) => h.d === '2026-11-01')).toHaveLength(n1);
    expect(history.filter((h) => h.d === '2026-11-02')).toHaveLength(n2);
    const tables = await tableRows(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'scores%' ORDER BY 1",
    );
    expect(tables.map((r) => r.name)).toEqual(['scores_shop', 'scores_shop_prev']);

    const deciles = await tableRows(
      'SELECT decile, COUNT(*) AS n, MIN(score) AS lo, MAX(score) AS hi FROM customer_scores GROUP BY decile ORDER BY decile',
    );
    expect(deciles.map((d) => d.n)).toEqual(Array.from({ length: 10 }, () => n2 / 10));
    expect(Number(deciles[0]!.lo)).toBeGreaterThanOrEqual(Number(deciles[1]!.hi));
  });

  it('cpd rollback restores the previous night and records who; a second rollback undoes it', async () => {
    const res = await runCpd(['rollback', 'shop', '--by', 'alice'], t.env);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('scores of shop@2026-11-01 restored');
    expect(await tableRows('SELECT DISTINCT run_key FROM customer_scores')).toEqual([
      { run_key: 'shop@2026-11-01' },
    ]);
    expect(await tableRows('SELECT DISTINCT run_key FROM customer_scores_prev')).toEqual([
      { run_key: 'shop@2026-11-02' },
    ]);
    const again = await runCpd(['rollback', 'shop', '--by', 'bob'], t.env);
    expect(again.code).toBe(0);
    expect(await tableRows('SELECT DISTINCT run_key FROM customer_scores')).toEqual([
      { run_key: 'shop@2026-11-02' },
    ]);
    const log = await t.database.db
      .select()
      .from(scorePublications)
      .where(eq(scorePublications.pipeline, 'shop'))
      .orderBy(asc(scorePublications.id));
    expect(log.map((l) => [l.action, l.runKey, l.actor])).toEqual([
      ['publish', 'shop@2026-11-01', expect.stringMatching(/^worker@/)],
      ['publish', 'shop@2026-11-02', expect.stringMatching(/^worker@/)],
      ['publish', 'shop@2026-11-02', expect.stringMatching(/^worker@/)],
      ['rollback', 'shop@2026-11-01', 'alice'],
      ['rollback', 'shop@2026-11-02', 'bob'],
    ]);
    const none = await runCpd(['rollback', 'nosuch'], t.env);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('nosuch: no scores are published; nothing to roll back to');
  });

  it("reasons: when one feature decides everything it is every row's first reason, and contributions + base = score", async () => {
    const n = 2_000;
    const x = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    const noise = Float64Array.from({ length: n }, (_, i) => ((i * 104_729) % 997) / 997);
    const labels = Uint8Array.from(x, (v) => (v > 0.6 ? 1 : 0));
    const data = {
      featureNames: ['decider', 'noise_a', 'noise_b'],
      categorical: [false, false, false],
      columns: [x, noise, noise.map((v) => 1 - v)],
      labels,
      nRows: n,
    };
    const oneFeature = await trainModel(data, { nTrees: 10, maxFeatures: 3, seed: 2 }, { threads: 1 });
    const pipeline = scoringPipeline('decided');
    const ids = Array.from({ length: n }, (_, i) => `d${String(i).padStart(5, '0')}`);
    await seedScoringNight(t.database, pipeline, {
      runKey: 'decided@2026-11-03',
      businessDate: '2026-11-03',
      model: oneFeature,
      ids,
      columns: data.columns,
    });
    const step = await scoreStep('decided@2026-11-03');
    const base = (step.details as { reasonsBase: number }).reasonsBase;
    expect(base).toBeGreaterThan(0);

    const rows = await tableRows(
      "SELECT customer_id, score, reasons FROM customer_scores WHERE pipeline = 'decided'",
    );
    expect(rows).toHaveLength(n);
    for (const r of rows) {
      const reasons = (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) as {
        feature: string;
        contribution: number;
      }[];
      expect(reasons[0]?.feature).toBe('decider');
      const sum = reasons.reduce((s, x) => s + x.contribution, base);
      expect(Math.abs(sum - Number(r.score))).toBeLessThan(1e-9);
    }
  });
});
