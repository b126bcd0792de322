import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../pipeline/errors.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const line = (inv: number, qty: number | string) =>
  `${inv},85123A,MUG,${qty},2011-01-0${1 + (inv % 9)} 10:00:00,2.50,17850,United Kingdom`;

/**
 * Transactions mode writes the lines straight into raw_transactions inside the load's one
 * transaction: a failure found after the rows were streamed (the second input refused at its end,
 * or broken in its middle) must leave the raw table and the ledger exactly as they were.
 */
describe('a load is one transaction: all of its inputs published, or none', () => {
  let t: TestEnv;
  let dir: string;
  const pipeline = (name: string, method: 'infile' | 'insert') => ({
    name,
    mode: 'transactions',
    maxRejectShare: 0.4,
    load: { method },
    sources: [{ kind: 'file', name: 'exports', path: `${dir}/${name}/day-*.csv` }],
    columns: {
      customerId: 'CustomerID',
      timestamp: 'InvoiceDate',
      quantity: 'Quantity',
      unitPrice: 'UnitPrice',
      invoice: 'InvoiceNo',
      description: 'Description',
    },
  });
  const write = (name: string, file: string, lines: string[]) =>
    writeFileSync(`${dir}/${name}/${file}`, [HEADER, ...lines, ''].join('\n'));
  const snapshot = async (name: string) => {
    const [tx] = await t.database.pool.query(
      'SELECT id, source_file_id, line, invoice, quantity, amount FROM raw_transactions WHERE pipeline = ? ORDER BY id',
      [name],
    );
    const [ledger] = await t.database.pool.query(
      'SELECT source, origin, sha256, source_file_id, run_key, `rows`, rejected, loaded_at FROM loaded_files WHERE pipeline = ? ORDER BY origin',
      [name],
    );
    return { tx: tx as { id: number; line: number; invoice: string; amount: string }[], ledger };
  };
  const loadFails = (name: string, method: 'infile' | 'insert', date: string) =>
    collectAndLoad(t.database, t.config, pipeline(name, method), date).then(
      () => undefined,
      (e: unknown) => e as PermanentError,
    );

  beforeAll(async () => {
    t = await createTestEnv('loadatomic');
    dir = `${t.tmp}/exports`;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  for (const method of ['infile', 'insert'] as const) {
    it(`${method}: a failure after streaming leaves raw_transactions and the ledger as they were; the fixed night replaces the old lines, and its rerun keeps the same rows`, async () => {
      const name = `shop-${method}`;
      mkdirSync(`${dir}/${name}`, { recursive: true });
      write(name, 'day-1.csv', [line(1, 2), line(2, 3)]);
      write(name, 'day-2.csv', [line(3, 1), line(4, 4)]);
      await collectAndLoad(t.database, t.config, pipeline(name, method), '2026-11-20');
      const before = await snapshot(name);
      expect(before.tx.map((r) => r.invoice)).toEqual(['1', '2', '3', '4']);

      // Both inputs changed: day-1 is fine and is written first; day-2 is refused at its end.
      write(name, 'day-1.csv', [line(11, 5), line(12, 6), line(13, 7)]);
      write(name, 'day-2.csv', [line(21, 'x'), line(22, 'y'), line(23, 1)]);
      const refused = await loadFails(name, method, '2026-11-21');
      expect(refused).toBeInstanceOf(PermanentError);
      expect(refused?.message).toContain('day-2.csv: 2 of 3 rows rejected');
      expect(await snapshot(name)).toEqual(before);

      // day-2 broken in its middle (an unterminated quote), after day-1's rows were written.
      write(name, 'day-2.csv', [
        line(21, 1),
        '22,85123A,"MUG,1,2011-01-02 10:00:00,2.50,17850,UK',
        line(23, 1),
      ]);
      const broken = await loadFails(name, method, '2026-11-21');
      expect(broken).toBeInstanceOf(PermanentError);
      expect(broken?.message).toContain('day-2.csv');
      expect(await snapshot(name)).toEqual(before);

      // Fixed: one load replaces both inputs' old lines with the new ones, ids in file and line order.
      write(name, 'day-2.csv', [line(21, 1), line(22, 2)]);
      const fixed = await collectAndLoad(t.database, t.config, pipeline(name, method), '2026-11-21');
      expect(fixed.load).toMatchObject({ rowsIn: 5, rowsOut: 5, rowsRejected: 0 });
      const after = await snapshot(name);
      expect(after.tx.map((r) => r.invoice)).toEqual(['11', '12', '13', '21', '22']);
      expect(after.tx.map((r) => r.amount)).toEqual(['12.5000', '15.0000', '17.5000', '2.5000', '5.0000']);
      expect(after.tx.map((r) => r.line)).toEqual([2, 3, 4, 2, 3]);
      expect(after.tx[0]!.id).toBeGreaterThan(before.tx.at(-1)!.id);
      const [rejects] = await t.database.pool.query(
        "SELECT COUNT(*) AS n FROM rejected_rows WHERE run_key = ? AND step = 'load'",
        [`${name}@2026-11-21`],
      );
      // The refused attempt's kept lines are replaced by the successful load's (none).
      expect((rejects as { n: number }[])[0]!.n).toBe(0);

      const rerun = await collectAndLoad(t.database, t.config, pipeline(name, method), '2026-11-21');
      expect(rerun.load).toMatchObject({ rowsIn: 0, rowsOut: 0 });
      expect(await snapshot(name)).toEqual(after);
    });
  }
});
