import type { PoolConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshScoreViews } from '../pipeline/publish/refresh-views.ts';
import { verifyPublication } from '../pipeline/publish/verify-publication.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * The publish invariant, checked through the view on the table's first and last customers: each
 * way the view can be wrong (the empty template, the table twice, another night's table) fails it.
 */
describe('verifyPublication', () => {
  let t: TestEnv;
  let conn: PoolConnection;

  const night = async (table: string, runKey: string, ids: string[]) => {
    await conn.query(`CREATE TABLE \`${table}\` LIKE customer_scores_template`);
    await conn.query(
      `INSERT INTO \`${table}\` (pipeline, customer_id, score, decile, segment, model_version, run_key, business_date) VALUES ?`,
      [ids.map((id, i) => ['vp', id, i / 10, i + 1, 'high', 1, runKey, runKey.split('@')[1]])],
    );
  };
  const view = (select: string) => conn.query(`CREATE OR REPLACE VIEW customer_scores AS ${select}`);
  const cols = 'pipeline, customer_id, run_key';

  beforeAll(async () => {
    t = await createTestEnv('verifypub');
    conn = await t.database.pool.getConnection();
    await night('scores_vp', 'vp@2026-11-02', ['b', 'a', 'd', 'c']);
    await night('scores_vp_prev', 'vp@2026-11-01', ['a', 'b', 'c', 'd']);
  });
  afterAll(async () => {
    conn?.release();
    await t?.cleanup();
  });

  it('passes when the view returns the current table, and fails for a stale, doubled or wrong view', async () => {
    await refreshScoreViews(conn);
    expect(await verifyPublication(conn, 'vp')).toEqual({
      ok: true,
      runKey: 'vp@2026-11-02',
      tableRows: 4,
      viewRows: 2,
    });

    await view(`SELECT ${cols} FROM customer_scores_template`);
    const stale = await verifyPublication(conn, 'vp');
    expect(stale).toMatchObject({ ok: false, viewRows: 0, tableRows: 4 });
    expect(stale.problem).toMatch(/views are stale; retrying the score step refreshes them/);

    await view(`SELECT ${cols} FROM scores_vp UNION ALL SELECT ${cols} FROM scores_vp`);
    expect(await verifyPublication(conn, 'vp')).toMatchObject({ ok: false, viewRows: 4 });

    await view(`SELECT ${cols} FROM scores_vp_prev`);
    expect(await verifyPublication(conn, 'vp')).toMatchObject({ ok: false, viewRows: 0 });

    await refreshScoreViews(conn);
    expect((await verifyPublication(conn, 'vp')).ok).toBe(true);
  });
});
