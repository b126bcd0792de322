import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../pipeline/errors.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const line = (inv: number, qty: number | string, customer = 17850) =>
  `${inv},85123A,MUG,${qty},2011-01-0${1 + (inv % 9)} 10:00:00,2.50,${customer},United Kingdom`;

describe('load is incremental and idempotent: same sha256 skipped, a changed file replaces exactly its own lines', () => {
  let t: TestEnv;
  let dir: string;
  const pipeline = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    mode: 'transactions',
    maxRejectShare: 0.4,
    sources: [{ kind: 'file', name: 'exports', path: `${dir}/day-*.csv` }],
    columns: {
      customerId: 'CustomerID',
      timestamp: 'InvoiceDate',
      quantity: 'Quantity',
      unitPrice: 'UnitPrice',
      invoice: 'InvoiceNo',
      description: 'Description',
    },
    ...extra,
  });
  const snapshot = async (name: string) => {
    const [tx] = await t.database.pool.query(
      'SELECT id, source_file_id, line, invoice, amount FROM raw_transactions WHERE pipeline = ? ORDER BY id',
      [name],
    );
    const [rej] = await t.database.pool.query(
      "SELECT run_key, source, line, reason FROM rejected_rows WHERE run_key LIKE CONCAT(?, '@%') ORDER BY id",
      [name],
    );
    const [ledger] = await t.database.pool.query(
      'SELECT source, origin, sha256, source_file_id, `rows`, rejected FROM loaded_files WHERE pipeline = ? ORDER BY origin',
      [name],
    );
    return {
      tx: tx as { id: number; source_file_id: number; invoice: string; amount: string }[],
      rej: rej as { run_key: string; source: string; line: number; reason: string }[],
      ledger,
    };
  };

  beforeAll(async () => {
    t = await createTestEnv('idempotent');
    dir = `${t.tmp}/exports`;
    mkdirSync(dir);
    writeFileSync(`${dir}/day-1.csv`, [HEADER, line(1, 2), line(2, 3), line(3, 'x'), ''].join('\n'));
    writeFileSync(
      `${dir}/day-2.csv`,
      [HEADER, line(4, 1), line(5, -1), line(6, 4), line(7, 5), ''].join('\n'),
    );
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('first load: both files; rerun of the same date: nothing read, the same tables', async () => {
    const first = await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-20');
    expect(first.load).toMatchObject({ rowsIn: 7, rowsOut: 6, rowsRejected: 1 });
    const before = await snapshot('shop');
    expect(before.tx.map((r) => r.invoice)).toEqual(['1', '2', '4', '5', '6', '7']);
    expect(before.tx.map((r) => r.amount)).toEqual([
      '5.0000',
      '7.5000',
      '2.5000',
      '-2.5000',
      '10.0000',
      '12.5000',
    ]);
    const again = await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-20');
    expect(again.load).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0 });
    expect((again.load.details as { skipped: string[] }).skipped).toHaveLength(2);
    expect(await snapshot('shop')).toEqual(before);
  });

  it('next day: the unchanged file is skipped, the changed one replaces exactly its own lines', async () => {
    const before = await snapshot('shop');
    writeFileSync(`${dir}/day-2.csv`, [HEADER, line(4, 1), line(8, 9), ''].join('\n'));
    const next = await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-21');
    expect(next.load).toMatchObject({ rowsIn: 2, rowsOut: 2, rowsRejected: 0 });
    const after = await snapshot('shop');
    // day-1's rows are untouched (same ids); day-2's four rows are replaced by its two new ones.
    expect(after.tx.slice(0, 2)).toEqual(before.tx.slice(0, 2));
    expect(after.tx.slice(2).map((r) => r.invoice)).toEqual(['4', '8']);
    const rerun = await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-21');
    expect(rerun.load.rowsIn).toBe(0);
    expect(await snapshot('shop')).toEqual(after);
  });

  it('a changed file that breaks its contract fails permanently, publishes nothing and keeps its refused lines', async () => {
    const before = await snapshot('shop');
    writeFileSync(`${dir}/day-2.csv`, [HEADER, line(9, 'bad'), line(10, 'bad'), line(11, 1), ''].join('\n'));
    const failed = await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-22').then(
      () => undefined,
      (e: unknown) => e as PermanentError,
    );
    expect(failed).toBeInstanceOf(PermanentError);
    expect(failed?.message).toContain(
      'day-2.csv: 2 of 3 rows rejected (more than 40%); most often Quantity: not a number',
    );
    expect(failed?.location.column).toBe('Quantity');
    // Nothing is published; only the refused lines are kept to look at (load.keptRejects).
    const after = await snapshot('shop');
    expect({ ...after, rej: before.rej }).toEqual(before);
    expect(after.rej.slice(before.rej.length)).toEqual([
      { run_key: 'shop@2026-11-22', source: `${dir}/day-2.csv`, line: 2, reason: 'not a number: "bad"' },
      { run_key: 'shop@2026-11-22', source: `${dir}/day-2.csv`, line: 3, reason: 'not a number: "bad"' },
    ]);
  });

  it('the prepared-insert fallback (for servers with local_infile off) publishes the same rows', async () => {
    writeFileSync(`${dir}/day-2.csv`, [HEADER, line(4, 1), line(8, 9), ''].join('\n'));
    await collectAndLoad(t.database, t.config, pipeline('infile-shop'), '2026-11-20');
    await collectAndLoad(
      t.database,
      t.config,
      pipeline('insert-shop', { load: { method: 'insert' } }),
      '2026-11-20',
    );
    const strip = (s: Awaited<ReturnType<typeof snapshot>>) =>
      s.tx.map(({ invoice, amount }) => ({ invoice, amount }));
    expect(strip(await snapshot('insert-shop'))).toEqual(strip(await snapshot('infile-shop')));
    expect(strip(await snapshot('insert-shop'))).toHaveLength(4);
  });

  it('a replaced input deletes inside the id range its load recorded: other pipelines and legacy ledgers keep working', async () => {
    const ranges = async () => {
      const [rows] = await t.database.pool.query(
        `SELECT f.origin, f.first_id AS first, f.last_id AS last, MIN(r.id) AS lo, MAX(r.id) AS hi
         FROM loaded_files f JOIN raw_transactions r ON r.pipeline = f.pipeline AND r.source_file_id = f.source_file_id
         WHERE f.pipeline = 'shop' GROUP BY f.id ORDER BY f.origin`,
      );
      return (rows as { first: number; last: number; lo: number; hi: number }[]).map((r) => ({
        ...r,
        first: Number(r.first),
        last: Number(r.last),
        lo: Number(r.lo),
        hi: Number(r.hi),
      }));
    };
    // Every input's lines lie inside its recorded range.
    for (const r of await ranges()) {
      expect(r.first).toBeLessThanOrEqual(r.lo);
      expect(r.last).toBeGreaterThanOrEqual(r.hi);
    }
    // A range spanning every line of the table (as when pipelines load at once and their ids
    // interleave): only the input's own lines go.
    const other = await snapshot('infile-shop');
    const day1 = (await snapshot('shop')).tx.slice(0, 2);
    await t.database.pool.query(
      "UPDATE loaded_files SET first_id = 1, last_id = 1000000 WHERE pipeline = 'shop' AND origin LIKE '%day-2.csv'",
    );
    writeFileSync(`${dir}/day-2.csv`, [HEADER, line(4, 1), line(12, 2), line(13, 3), ''].join('\n'));
    await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-23');
    expect((await snapshot('shop')).tx.slice(0, 2)).toEqual(day1);
    expect((await snapshot('shop')).tx.slice(2).map((r) => r.invoice)).toEqual(['4', '12', '13']);
    expect(await snapshot('infile-shop')).toEqual(other);
    // A ledger from before ranges were recorded: the replacement finds the lines without one.
    await t.database.pool.query(
      "UPDATE loaded_files SET first_id = NULL, last_id = NULL WHERE pipeline = 'shop' AND origin LIKE '%day-2.csv'",
    );
    writeFileSync(`${dir}/day-2.csv`, [HEADER, line(14, 1), ''].join('\n'));
    await collectAndLoad(t.database, t.config, pipeline('shop'), '2026-11-24');
    expect((await snapshot('shop')).tx.slice(2).map((r) => r.invoice)).toEqual(['14']);
    expect(await snapshot('infile-shop')).toEqual(other);
    for (const r of await ranges()) expect([r.first <= r.lo, r.last >= r.hi]).toEqual([true, true]);
  });
});
