import type { Readable } from 'node:stream';
import type { Connection as CallbackConnection } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { type Cell, encodeRows, loadTsv, textPieces, tsvLine } from '../../db/load-infile.ts';
import {
  type CleanOrder,
  type DropReason,
  dropReasons,
  fromUnits,
  type RawLine,
  TransactionCleaner,
} from './clean-rules.ts';

export { type DropReason, dropReasons } from './clean-rules.ts';

export interface CleanCounts {
  linesRead: number;
  linesKept: number;
  orders: number;
  customers: number;
  dropsByReason: Record<DropReason, number>;
}

/**
 * Sorting once in MySQL and applying the rules in one streamed pass (clean-rules.ts)
 * replaced two window functions and five scans: window partitions over millions of lines spill to
 * disk with a 128 MB buffer pool. The sort settings are this connection's only, reset afterwards:
 * a larger sort buffer keeps the sort to a few merge passes, and a larger max_length_for_sort_data
 * makes MariaDB sort the selected columns with the keys; at its default (1 KiB, below the
 * declared width of these VARCHARs) it sorts row ids, then fetches every line by primary key in
 * customer order: one random read per line, minutes on 10 M lines. (MySQL 8.0.20+ always sorts the
 * columns and ignores the variable.)
 */
const SORT_BUFFER_BYTES = 256 * 1024 * 1024;
/** ER_UNKNOWN_SYSTEM_VARIABLE: a server without max_length_for_sort_data (a later MySQL) always sorts the columns anyway. */
const UNKNOWN_VARIABLE = 1193;

const ORDER_COLUMNS = [
  'customer_id',
  'ordered_at',
  'order_key',
  'is_cancel',
  'amount',
  'line_count',
  'new_products',
  'country',
] as const;

/**
 * Replaces the run's clean_orders and clean_drops on `conn` (inside the caller's transaction),
 * reading raw_transactions through `reader` (another connection: the read streams while the
 * orders are written); `observe` sees every line too (the quality facts); `signal` aborts the pass
 * between lines. Orders stream into clean_orders with LOAD DATA in clustered-key order; drops are
 * written afterwards in id order.
 */
export async function cleanTransactions(
  conn: PoolConnection,
  readers: readonly [PoolConnection, PoolConnection],
  runKey: string,
  pipeline: TransactionsPipeline,
  {
    observe = () => {},
    signal,
    lap = () => {},
  }: { observe?: (line: RawLine) => void; signal?: AbortSignal; lap?: (phase: string) => void } = {},
): Promise<CleanCounts> {
  await conn.query('DELETE FROM clean_drops WHERE run_key = ?', [runKey]);
  await conn.query('DELETE FROM clean_orders WHERE run_key = ?', [runKey]);
  const cleaner = new TransactionCleaner(pipeline.clean.maxQuantity);
  for (const r of readers) await sortSettings(r, SORT_BUFFER_BYTES, 8192);
  lap('delete');
  const chunks = await primed(await orderText(readers, pipeline.name, cleaner, observe, signal));
  // The server's sort of the pipeline's lines: the first orders wait for all of it.
  lap('sort');
  await loadTsv(
    conn,
    { table: 'clean_orders', columns: ORDER_COLUMNS, constants: { run_key: runKey } },
    chunks,
    'infile',
    () => cleaner.counts.orders,
  );
  lap('pass');
  for (const r of readers) await sortSettings(r, 'DEFAULT', 'DEFAULT');
  const drops = cleaner.drops.sort((a, b) => a - b);
  await loadTsv(
    conn,
    { table: 'clean_drops', columns: ['raw_id', 'reason'], constants: { run_key: runKey } },
    encodeRows(drops.map((d) => [Math.floor(d / 8), dropReasons[d % 8]!])),
    'infile',
    () => drops.length,
  );
  lap('drops');
  return { ...cleaner.counts, dropsByReason: cleaner.dropsByReason() };
}

async function sortSettings(
  reader: PoolConnection,
  buffer: number | 'DEFAULT',
  maxLength: number | 'DEFAULT',
): Promise<void> {
  await reader.query(`SET SESSION sort_buffer_size = ${buffer}`);
  try {
    await reader.query(`SET SESSION max_length_for_sort_data = ${maxLength}`);
  } catch (err) {
    if ((err as { errno?: number }).errno !== UNKNOWN_VARIABLE) throw err;
  }
}

/**
 * The cleaned orders as LOAD DATA text pieces, from the raw lines streamed in (customer, time, id)
 * order. The server's sort of 10 M lines took 13-18 s on one core while the worker waited: the
 * lines are sorted in two halves at once, split at a customer id near the median of a sample
 * (`readers`: one connection each), and read one half after the other. Customers equal under the
 * column's collation compare the same against the split, so each lies wholly in one half, and
 * the halves in turn are the one sorted order (lines without a customer sort first: first half).
 */
async function orderText(
  readers: readonly [PoolConnection, PoolConnection],
  pipeline: string,
  cleaner: TransactionCleaner,
  observe: (line: RawLine) => void,
  signal?: AbortSignal,
): Promise<Readable> {
  const split = await medianCustomer(readers[0], pipeline);
  const halves =
    split === null
      ? [sortedLines(readers[0], pipeline, '')]
      : [
          sortedLines(readers[0], pipeline, ' AND (customer_id IS NULL OR TRIM(customer_id) < ?)', split),
          sortedLines(readers[1], pipeline, ' AND TRIM(customer_id) >= ?', split),
        ];
  const orderLines = (): string => {
    let text = '';
    for (const o of cleaner.ready) text += tsvLine(orderCells(o));
    cleaner.ready.length = 0;
    return text;
  };
  return textPieces<RawLine>(
    halves,
    (line) => {
      // A step timeout or shutdown stops the pass between lines; the caller rolls back and drops the readers.
      if ((cleaner.counts.linesRead & 0xffff) === 0) signal?.throwIfAborted();
      observe(line);
      cleaner.push(line);
      return cleaner.ready.length > 0 ? orderLines() : '';
    },
    () => {
      cleaner.finish();
      return orderLines();
    },
  );
}

/** A cleaned order as clean_orders' cells, in ORDER_COLUMNS' order. */
export function orderCells(o: CleanOrder): Cell[] {
  return [o.customer, o.at, o.orderKey, o.isCancel, fromUnits(o.amount), o.lines, o.newProducts, o.country];
}

/** Sample lines per split: the median of 2,000 ids spread over the table lands near the middle. */
const SPLIT_SAMPLE = 2_000;

/**
 * A customer id (trimmed) near the median of the pipeline's lines, from lines at ids spread evenly
 * over the table (primary-key lookups, no scan); null when the sample holds no customer.
 */
async function medianCustomer(reader: PoolConnection, pipeline: string): Promise<string | null> {
  const [bounds] = await reader.query('SELECT MIN(id) AS lo, MAX(id) AS hi FROM raw_transactions');
  const { lo, hi } = (bounds as { lo: number | string | null; hi: number | string | null }[])[0]!;
  if (lo === null || hi === null) return null;
  const from = Number(lo);
  const span = Number(hi) - from;
  const ids = [
    ...new Set(Array.from({ length: SPLIT_SAMPLE }, (_, i) => from + Math.floor((span * i) / SPLIT_SAMPLE))),
  ];
  const [rows] = await reader.query(
    `SELECT TRIM(customer_id) AS id FROM raw_transactions
     WHERE id IN (?) AND pipeline = ? AND customer_id IS NOT NULL ORDER BY TRIM(customer_id)`,
    [ids, pipeline],
  );
  const sample = rows as { id: string }[];
  return sample.length === 0 ? null : sample[Math.floor(sample.length / 2)]!.id;
}

/** The pipeline's lines in (trimmed customer, time, id) order, `where` narrowing them, as a row stream. */
function sortedLines(reader: PoolConnection, pipeline: string, where: string, ...values: string[]): Readable {
  // The time as text: 'YYYY-MM-DD HH:MM:SS' orders like the time, and no Date per line.
  // The callback connection under the promise wrapper: its query().stream() reads with backpressure.
  return (reader.connection as unknown as CallbackConnection)
    .query({
      sql: `SELECT id, customer_id, CAST(invoiced_at AS CHAR), invoice, product_code, quantity, unit_price, amount, country
            FROM raw_transactions WHERE pipeline = ?${where} ORDER BY TRIM(customer_id), invoiced_at, id`,
      values: [pipeline, ...values],
      rowsAsArray: true,
    })
    .stream({ highWaterMark: 4096 });
}

/**
 * Waits for the first chunk (the end of the sort: minutes on 10 M lines) before LOAD DATA starts:
 * a server waiting for LOCAL data drops the connection after net_read_timeout (30 s by default).
 */
async function primed(source: Readable): Promise<AsyncGenerator<string>> {
  const pieces = source[Symbol.asyncIterator]() as AsyncIterator<string>;
  const first = await pieces.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await pieces.next(); !next.done; next = await pieces.next()) yield next.value;
  })();
}
