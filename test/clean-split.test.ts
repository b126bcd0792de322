import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../jobs/clean.ts';
import { dropReasons, type RawLine, TransactionCleaner } from '../pipeline/cleaning/clean-rules.ts';
import { orderCells } from '../pipeline/cleaning/clean-transactions.ts';
import { insertLines, type Line, stepContext, transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const T = '2024-12-01';
const pipeline = transactionsPipeline('split');

/**
 * Customers written several ways that the ids' collation calls equal (case, surrounding spaces),
 * missing and blank ids, duplicates and cancellations, another pipeline's lines in between.
 */
function lines(seed: number, n: number): Line[] {
  let state = seed;
  const next = (k: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % k;
  };
  const ids = (k: number): string | null => {
    const base = `C${String(k).padStart(3, '0')}`;
    const spellings = [base, base.toLowerCase(), ` ${base} `, `${base}  `, null, '', '   '];
    return spellings[next(spellings.length)]!;
  };
  return Array.from({ length: n }, (): Line => {
    const cancel = next(10) === 0;
    const day = 1 + next(28);
    const qty = (cancel ? -1 : 1) * (1 + next(3));
    return [
      `${cancel ? 'C' : ''}${1000 + next(40)}`,
      `P${next(6)}`,
      qty,
      `2024-${String(1 + next(11)).padStart(2, '0')}-${String(day).padStart(2, '0')} 1${next(2)}:00:00`,
      next(20) === 0 ? 0 : 1 + next(5),
      ids(next(60)),
      [null, 'United Kingdom', 'france', 'France'][next(4)]!,
    ];
  });
}

describe('clean sorts the lines in two halves and reads them in turn', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('cleansplit');
    // Interleaved with another pipeline's lines: the split and both halves keep to their pipeline.
    for (let part = 0; part < 4; part++) {
      await insertLines(t, 'split', lines(part + 1, 800), part * 800 + 1);
      await insertLines(t, 'other', lines(part + 11, 300), part * 300 + 1);
    }
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('writes the orders and drops one sorted read of every line gives', async () => {
    await clean.handler(stepContext(t, pipeline, T));
    const [raw] = await t.database.pool.query({
      sql: `SELECT id, customer_id, CAST(invoiced_at AS CHAR), invoice, product_code, quantity, unit_price, amount, country
            FROM raw_transactions WHERE pipeline = 'split' ORDER BY TRIM(customer_id), invoiced_at, id`,
      rowsAsArray: true,
    });
    const cleaner = new TransactionCleaner(pipeline.clean.maxQuantity);
    for (const line of raw as RawLine[]) cleaner.push(line);
    cleaner.finish();
    const want = cleaner.ready.map((o) => orderCells(o).join('|')).sort();
    const [orders] = await t.database.pool.query({
      sql: `SELECT customer_id, CAST(ordered_at AS CHAR), order_key, is_cancel, amount, line_count, new_products, country
            FROM clean_orders WHERE run_key = ?`,
      values: [`split@${T}`],
      rowsAsArray: true,
    });
    const got = (orders as unknown[][]).map((r) => r.join('|')).sort();
    expect(want.length).toBeGreaterThan(500);
    expect(got).toEqual(want);
    const [drops] = await t.database.pool.query({
      sql: 'SELECT raw_id, reason FROM clean_drops WHERE run_key = ? ORDER BY raw_id',
      values: [`split@${T}`],
      rowsAsArray: true,
    });
    expect((drops as unknown[][]).map((d) => `${d[0]}|${d[1]}`)).toEqual(
      cleaner.drops.sort((a, b) => a - b).map((d) => `${Math.floor(d / 8)}|${dropReasons[d % 8]}`),
    );
    // Customers spelt apart are one customer: as many as distinct trimmed, case-folded ids.
    const [customers] = await t.database.pool.query(
      'SELECT COUNT(DISTINCT customer_id) AS n FROM clean_orders WHERE run_key = ?',
      [`split@${T}`],
    );
    expect(Number((customers as { n: number }[])[0]!.n)).toBeLessThanOrEqual(60);
  });
});
