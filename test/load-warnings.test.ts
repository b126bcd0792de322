import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLoadMethod, encodeRows, loadTsv, LoadWarningsError } from '../db/load-infile.ts';
import { isPermanent } from '../pipeline/errors.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

describe('a bulk load the server stores with warnings', () => {
  let t: TestEnv;

  beforeAll(async () => {
    t = await createTestEnv('loadwarnings');
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  it('fails permanently, naming the server’s first warnings in words', async () => {
    const conn = await t.database.pool.getConnection();
    try {
      await conn.query('CREATE TEMPORARY TABLE tmp_w (id VARCHAR(8) PRIMARY KEY, v DOUBLE NULL)');
      const { method } = await chooseLoadMethod(conn, 'auto');
      const rows = [
        ['a', 1.5],
        ['b', Number.NaN],
        ['c', 2],
      ];
      const err = await loadTsv(
        conn,
        { table: 'tmp_w', columns: ['id', 'v'] },
        encodeRows(rows),
        method,
        () => 3,
      )
        .then(() => null)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoadWarningsError);
      expect(isPermanent(err)).toBe(true);
      const message = (err as Error).message;
      expect(message).toMatch(
        /^loading tmp_w: 3 rows stored of 3 sent, 1 warnings, first: .*'NaN'.* \(1366\)$/,
      );
      expect(message).not.toContain('{');
    } finally {
      conn.release();
    }
  });
});
