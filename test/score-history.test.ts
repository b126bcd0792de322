import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PoolConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishScores } from '../pipeline/publish/publish-scores.ts';
import { historyFromTable } from '../pipeline/publish/record-history.ts';
import type { SpooledScores } from '../pipeline/publish/spool-scores.ts';
import { SpoolText } from '../pipeline/publish/spool-text.ts';
import { type ScoreSource, spooledSource } from '../pipeline/publish/stage-scores.ts';
import { VALUE_COLUMNS } from '../pipeline/value/value-columns.ts';
import { scoringPipeline } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/** Rows with every field a history line carries: odd ids, missing scores, missing value figures. */
function spool(dir: string, n: number, seed: number): SpooledScores {
  const scores = Float64Array.from({ length: n }, (_, r) =>
    r % 23 === 4 ? NaN : ((r * 37 + seed) % 1000) / 997,
  );
  const k = 2;
  const lines = new SpoolText({ kind: 'machine', names: ['a', 'b\tc'] }).lines({
    seq0: 0,
    ids: Array.from({ length: n }, (_, r) =>
      r % 10 === 3 ? `c\t${r}\\é` : `c-${String(r).padStart(5, '0')}`,
    ),
    scores,
    known: null,
    top: {
      k,
      features: Int32Array.from({ length: n * k }, (_, i) => i % 2),
      contributions: Float64Array.from({ length: n * k }, (_, i) => i / 1e4),
      values: new Float64Array(n * k),
    },
    value: VALUE_COLUMNS.map((_, j) =>
      Float64Array.from({ length: n }, (_, r) => (r % 7 === j ? NaN : r / 3 + j + seed)),
    ),
    valueColumns: VALUE_COLUMNS.length,
  });
  const file = path.join(dir, `spool-${seed}.tsv`);
  writeFileSync(file, lines);
  return { file, scores, nRows: n, base: 0 };
}

const HISTORY_COLUMNS = `customer_id, score, decile, segment, model_version, run_key, DATE_FORMAT(business_date, '%Y-%m-%d') AS d, ${VALUE_COLUMNS.join(', ')}`;

describe('score history written beside the staging table', () => {
  let t: TestEnv;
  let conn: PoolConnection;
  // Missing scores are let through so the history's "no score, no row" is exercised.
  const pipeline = scoringPipeline('hist', { gates: { nullScores: { maxShare: 0.1 } } });

  beforeAll(async () => {
    t = await createTestEnv('scorehist');
    conn = await t.database.pool.getConnection();
  });
  afterAll(async () => {
    conn?.release();
    await t?.cleanup();
  });

  const publish = (source: ScoreSource, runKey: string) =>
    publishScores({
      db: t.database.db,
      conn,
      pool: t.database.pool,
      pipeline,
      source,
      population: source.rows,
      meta: { runKey, businessDate: runKey.split('@')[1]!, modelVersion: 3, scoredAt: new Date() },
      generation: 1,
      actor: 'test',
      timings: {},
    });

  const historyOf = async (date: string) => {
    const [rows] = await conn.query(
      `SELECT ${HISTORY_COLUMNS} FROM customer_score_history WHERE business_date = ? ORDER BY customer_id`,
      [date],
    );
    return rows as Record<string, unknown>[];
  };

  it('holds exactly the published rows that have a score, as the staged-table copy would', async () => {
    const s = spool(t.tmp, 3_000, 1);
    const outcome = await publish(spooledSource(s), 'hist@2026-11-20');
    expect(outcome.kind).toBe('published');
    const fromSpool = await historyOf('2026-11-20');
    expect(fromSpool).toHaveLength(s.scores.filter(Number.isFinite).length);
    // The definition it replaces: INSERT ... SELECT from the published table, rows with a score.
    await conn.query("DELETE FROM customer_score_history WHERE business_date = '2026-11-20'");
    await historyFromTable('scores_hist')(conn);
    expect(await historyOf('2026-11-20')).toEqual(fromSpool);
    expect(fromSpool.some((r) => String(r.customer_id).includes('\t'))).toBe(true);
    expect(fromSpool.some((r) => r.p_alive === null)).toBe(true);
  });

  it('a night whose staging fails leaves no history; its retry writes it once', async () => {
    const s = spool(t.tmp, 2_000, 2);
    const good = spooledSource(s);
    const failing: ScoreSource = {
      ...good,
      async stage(c, tables, meta) {
        await good.stage(c, tables, meta);
        throw new Error('staging failed after loading');
      },
    };
    await expect(publish(failing, 'hist@2026-11-21')).rejects.toThrow('staging failed');
    expect(await historyOf('2026-11-21')).toEqual([]);
    const outcome = await publish(good, 'hist@2026-11-21');
    expect(outcome).toMatchObject({
      kind: 'published',
      historyRows: s.scores.filter(Number.isFinite).length,
    });
    expect(await historyOf('2026-11-21')).toHaveLength(s.scores.filter(Number.isFinite).length);
  });
});
