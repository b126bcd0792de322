import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonValue } from '../db/json-column.ts';
import {
  chooseLoadMethod,
  encodeRows,
  loadTsv,
  LoadWarningsError,
  trustedTextSession,
} from '../db/load-infile.ts';
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

  it('a trusted text session stores UTF-8 as sent, still refuses a malformed sequence, and is put back', async () => {
    const conn = await t.database.pool.getConnection();
    try {
      await conn.query(
        'CREATE TEMPORARY TABLE tmp_t (id VARCHAR(16) PRIMARY KEY, doc JSON NULL) DEFAULT CHARSET=utf8mb4',
      );
      const [[before]] = (await conn.query('SELECT @@SESSION.check_constraint_checks AS c')) as unknown as [
        { c: number }[],
      ];
      const session = await trustedTextSession(conn);
      const { method } = await chooseLoadMethod(conn, 'auto');
      const target = { table: 'tmp_t', columns: ['id', 'doc'], charset: session.charset };
      try {
        // MariaDB here: the session reads the text as bytes.
        expect(session.charset).toBe('binary');
        const rows = [
          ['cé€😀', '[{"sentence":"Spent £12 — café"}]'],
          ['plain', '[]'],
        ];
        await loadTsv(conn, target, encodeRows(rows), method, () => 2);
        const [stored] = await conn.query(
          'SELECT id, HEX(id) AS hex, CHAR_LENGTH(id) AS chars, doc FROM tmp_t ORDER BY id',
        );
        expect(stored).toMatchObject([
          { id: 'cé€😀', hex: Buffer.from('cé€😀').toString('hex').toUpperCase(), chars: 4 },
          { id: 'plain' },
        ]);
        expect((stored as { doc: unknown }[]).map((r) => parseJsonValue(r.doc))).toEqual([
          [{ sentence: 'Spent £12 — café' }],
          [],
        ]);
        const malformed = (async function* () {
          yield Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x09, 0x5b, 0x5d, 0x0a]);
        })();
        await expect(loadTsv(conn, target, malformed, method, () => 1)).rejects.toThrow(LoadWarningsError);
      } finally {
        await session.restore();
      }
      const [[after]] = (await conn.query('SELECT @@SESSION.check_constraint_checks AS c')) as unknown as [
        { c: number }[],
      ];
      expect(Number(after!.c)).toBe(Number(before!.c));
      expect(Number(after!.c)).toBe(1);
      // A session whose connection died (as a packet too big leaves it) is put back without an
      // error of its own, so the load's error is the one reported.
      const victim = await t.database.pool.getConnection();
      const dying = await trustedTextSession(victim);
      const [ids] = await victim.query('SELECT CONNECTION_ID() AS id');
      await conn.query('KILL ?', [(ids as { id: number }[])[0]!.id]);
      await expect(dying.restore()).resolves.toBeUndefined();
      victim.destroy();
    } finally {
      conn.release();
    }
  });
});
