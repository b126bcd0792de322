import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PoolConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonValue } from '../db/json-column.ts';
import { publishScores } from '../pipeline/publish/publish-scores.ts';
import { historyFromTable } from '../pipeline/publish/record-history.ts';
import type { SpooledScores } from '../pipeline/publish/spool-scores.ts';
import { SpoolText } from '../pipeline/publish/spool-text.ts';
import { type ScoreSource, spooledSource } from '../pipeline/publish/stage-scores.ts';
import { VALUE_COLUMNS } from '../pipeline/value/value-columns.ts';
import { scoringPipeline } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * Rows with every field a history line carries: odd ids, missing scores, missing value figures.
 * Written as three slices of text, as the score step writes them, so staging loads it in two halves.
 */
function spool(dir: string, n: number, seed: number): SpooledScores {
  const scores = Float64Array.from({ length: n }, (_, r) =>
    r % 23 === 4 ? NaN : ((r * 37 + seed) % 1000) / 997,
  );
  const k = 2;
  const text = new SpoolText({ kind: 'machine', names: ['a', 'b\tc'] });
  const bounds = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
  const slices = bounds.slice(1).map((r1, i) => {
    const r0 = bounds[i]!;
    const m = r1 - r0;
    return text.lines({
      seq0: r0,
      ids: Array.from({ length: m }, (_, j) =>
        (r0 + j) % 10 === 3 ? `c\t${r0 + j}\\é` : `c-${String(r0 + j).padStart(5, '0')}`,
      ),
      scores: scores.slice(r0, r1),
      known: null,
      top: {
        k,
        features: Int32Array.from({ length: m * k }, (_, i) => i % 2),
        contributions: Float64Array.from({ length: m * k }, (_, i) => (r0 * k + i) / 1e4),
        values: new Float64Array(m * k),
      },
      value: VALUE_COLUMNS.map((_, j) =>
        Float64Array.from({ length: m }, (_, i) => ((r0 + i) % 7 === j ? NaN : (r0 + i) / 3 + j + seed)),
      ),
      valueColumns: VALUE_COLUMNS.length,
    });
  });
  const file = path.join(dir, `spool-${seed}.tsv`);
  writeFileSync(file, Buffer.concat(slices));
  let byte = 0;
  const starts = slices.map((b, i) => ({ line: bounds[i]!, byte: (byte += b.length) - b.length }));
  return { file, scores, nRows: n, base: 0, starts };
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
    const outcome = await publish(spooledSource(s, t.database.pool), 'hist@2026-11-20');
    expect(outcome.kind).toBe('published');
    const fromSpool = await historyOf('2026-11-20');
    expect(fromSpool).toHaveLength(s.scores.filter(Number.isFinite).length);
    // The definition it replaces: INSERT ... SELECT from the published table, rows with a score.
    await conn.query("DELETE FROM customer_score_history WHERE business_date = '2026-11-20'");
    await historyFromTable('scores_hist')(conn);
    expect(await historyOf('2026-11-20')).toEqual(fromSpool);
    expect(fromSpool.some((r) => String(r.customer_id).includes('\t'))).toBe(true);
    expect(fromSpool.some((r) => r.p_alive === null)).toBe(true);
    // Staged in two halves at once: every customer once, with the reasons of its own line.
    const [published] = await conn.query('SELECT customer_id, reasons FROM scores_hist ORDER BY customer_id');
    const rows = published as { customer_id: string; reasons: unknown }[];
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(3_000);
    const first = (id: string) => rows.find((r) => r.customer_id === id)!;
    const contribution = (id: string) =>
      parseJsonValue<{ contribution: number }[]>(first(id).reasons)[0]!.contribution;
    expect([contribution('c-00000'), contribution('c-01500'), contribution('c-02999')]).toEqual([
      0, 0.3, 0.5998,
    ]);
  });

  it('a night whose staging fails leaves no history; its retry writes it once', async () => {
    const s = spool(t.tmp, 2_000, 2);
    const good = spooledSource(s, t.database.pool);
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
