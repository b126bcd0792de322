import type { Connection as CallbackConnection } from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { chooseLoadMethod, loadTsv, textPieces, tsvLine } from '../../db/load-infile.ts';
import { fromUnits, toUnits } from '../cleaning/clean-rules.ts';
import { addDays, type Snapshot } from './cutoffs.ts';

/**
 * The per-customer aggregates each snapshot's features are arithmetic on (customer-feature-sql.ts),
 * one row per snapshot and customer with a purchase before its cutoff, in the types the server's
 * own SUM/MIN/MAX give (so the arithmetic on them gives what it gave on the aggregates directly).
 */
export const AGGREGATE_COLUMNS = `snap TINYINT NOT NULL, customer_id VARCHAR(64) NOT NULL,
  label_orders DECIMAL(23,0) NULL, first_at DATETIME NOT NULL, last_at DATETIME NOT NULL,
  purchases DECIMAL(23,0) NOT NULL, net_spend DECIMAL(40,4) NOT NULL, purchase_spend DECIMAL(40,4) NOT NULL,
  max_amount DECIMAL(18,4) NOT NULL, orders_30 DECIMAL(23,0) NOT NULL, spend_30 DECIMAL(40,4) NOT NULL,
  orders_90 DECIMAL(23,0) NOT NULL, spend_90 DECIMAL(40,4) NOT NULL, orders_90_before DECIMAL(23,0) NOT NULL,
  products DECIMAL(32,0) NOT NULL, cancels DECIMAL(23,0) NOT NULL, country VARCHAR(64) NULL,
  PRIMARY KEY (snap, customer_id)`;

const COLUMNS = [
  'snap',
  'customer_id',
  'label_orders',
  'first_at',
  'last_at',
  'purchases',
  'net_spend',
  'purchase_spend',
  'max_amount',
  'orders_30',
  'spend_30',
  'orders_90',
  'spend_90',
  'orders_90_before',
  'products',
  'cancels',
  'country',
] as const;

/** [customer, time 'YYYY-MM-DD HH:MM:SS', is_cancel, amount (DECIMAL text), new_products, country] */
type OrderRow = [string, string, number, string, number, string | null];

/** Takes the purchase orders (customer, time, amount in 1/10,000 units) in the pass's order. */
export interface PurchaseSink {
  push(customer: string, at: string, units: number): void;
}

/**
 * Stages every snapshot's aggregates into the temporary table `table` on `conn` in ONE pass over
 * the run's orders, read in clustered-key order (customer, time, order key) on a second connection
 * from `pool` while `conn` loads: the server evaluated 15 aggregate expressions per order row and
 * snapshot (three grouped passes, ~20 s each at 1 M customers); here they are a few comparisons
 * per row in the worker. Amounts are summed in exact 1/10,000 units (clean_orders' DECIMAL scale).
 * Customers are grouped as the server's GROUP BY did (ids equal under the case- and
 * accent-insensitive collation are one customer, named by its first row). `purchase`, when given,
 * sees every purchase order of the same pass (the customer-value histories: no second scan of the
 * orders). Returns the rows staged per snapshot.
 */
export async function stageCustomerAggregates(
  conn: PoolConnection,
  pool: Pool,
  runKey: string,
  snaps: readonly Snapshot[],
  table: string,
  purchase?: PurchaseSink,
): Promise<number[]> {
  await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${table}`);
  await conn.query(`CREATE TEMPORARY TABLE ${table} (${AGGREGATE_COLUMNS})`);
  const acc = new Aggregates(snaps);
  const until = snaps.map((s) => s.labelEnd ?? s.cutoff).reduce((a, b) => (a > b ? a : b));
  // A cut read leaves the connection mid-result: destroyed then, back to the pool otherwise.
  const reader = await pool.getConnection();
  let done = false;
  try {
    const stream = (reader.connection as unknown as CallbackConnection)
      .query({
        sql: `SELECT customer_id, CAST(ordered_at AS CHAR), is_cancel, amount, new_products, country FROM clean_orders
              WHERE run_key = ? AND ordered_at < ? ORDER BY customer_id, ordered_at, order_key, is_cancel`,
        values: [runKey, `${until} 00:00:00`],
        rowsAsArray: true,
      })
      .stream({ highWaterMark: 4096 });
    const text = textPieces<OrderRow>(
      [stream],
      (row) => {
        const amount = toUnits(row[3]);
        const lines = acc.push(row, amount);
        if (purchase && row[2] === 0) purchase.push(row[0], row[1], amount);
        return lines;
      },
      () => acc.finish(),
    );
    const { method } = await chooseLoadMethod(conn, 'auto');
    await loadTsv(conn, { table, columns: COLUMNS }, text, method, () => acc.staged);
    done = true;
  } finally {
    if (done) reader.release();
    else reader.destroy();
  }
  return acc.perSnapshot;
}

/**
 * Ids equal under the tables' case- and accent-insensitive collation (utf8mb4_unicode_ci) are one
 * customer, as in history-collector.ts: their rows arrive together, in time order.
 */
const sameCustomer = new Intl.Collator('und', { sensitivity: 'base' });

/** One snapshot's bounds as 'YYYY-MM-DD HH:MM:SS' texts (they order like the times). */
interface Bounds {
  cutoff: string;
  labelEnd: string | null;
  day30: string;
  day90: string;
  day180: string;
}

/** The current customer's running aggregates, one slot per snapshot. */
class Aggregates {
  staged = 0;
  readonly perSnapshot: number[];
  private readonly bounds: Bounds[];
  private customer: string | null = null;
  private readonly labelOrders: number[];
  private readonly first: (string | null)[];
  private readonly last: (string | null)[];
  private readonly purchases: number[];
  private readonly netSpend: number[];
  private readonly purchaseSpend: number[];
  private readonly maxAmount: number[];
  private readonly orders30: number[];
  private readonly spend30: number[];
  private readonly orders90: number[];
  private readonly spend90: number[];
  private readonly orders90Before: number[];
  private readonly products: number[];
  private readonly cancels: number[];
  private readonly country: (string | null)[];

  constructor(snaps: readonly Snapshot[]) {
    const at = (d: string) => `${d} 00:00:00`;
    this.bounds = snaps.map((s) => ({
      cutoff: at(s.cutoff),
      labelEnd: s.labelEnd ? at(s.labelEnd) : null,
      day30: at(addDays(s.cutoff, -30)),
      day90: at(addDays(s.cutoff, -90)),
      day180: at(addDays(s.cutoff, -180)),
    }));
    const k = snaps.length;
    this.perSnapshot = new Array<number>(k).fill(0);
    const zeros = () => new Array<number>(k).fill(0);
    const nulls = () => new Array<string | null>(k).fill(null);
    this.labelOrders = zeros();
    this.first = nulls();
    this.last = nulls();
    this.purchases = zeros();
    this.netSpend = zeros();
    this.purchaseSpend = zeros();
    this.maxAmount = zeros();
    this.orders30 = zeros();
    this.spend30 = zeros();
    this.orders90 = zeros();
    this.spend90 = zeros();
    this.orders90Before = zeros();
    this.products = zeros();
    this.cancels = zeros();
    this.country = nulls();
  }

  /** Adds one order (its amount in units); returns the previous customer's rows as LOAD DATA text when this one starts another customer. */
  push([id, at, isCancel, , newProducts, country]: OrderRow, amount: number): string {
    let text = '';
    if (id !== this.customer && (this.customer === null || sameCustomer.compare(id, this.customer) !== 0)) {
      text = this.finish();
      this.customer = id;
    }
    const purchase = isCancel === 0;
    for (let s = 0; s < this.bounds.length; s++) {
      const b = this.bounds[s]!;
      if (at >= b.cutoff) {
        if (purchase && b.labelEnd !== null && at < b.labelEnd) this.labelOrders[s]! += 1;
        continue;
      }
      this.netSpend[s]! += amount;
      if (at >= b.day30) this.spend30[s]! += amount;
      if (at >= b.day90) this.spend90[s]! += amount;
      if (!purchase) {
        this.cancels[s]! += 1;
        continue;
      }
      if (this.purchases[s] === 0) {
        this.first[s] = at;
        this.maxAmount[s] = amount;
      } else if (amount > this.maxAmount[s]!) this.maxAmount[s] = amount;
      this.last[s] = at;
      this.purchases[s]! += 1;
      this.purchaseSpend[s]! += amount;
      this.products[s]! += newProducts;
      if (at >= b.day30) this.orders30[s]! += 1;
      if (at >= b.day90) this.orders90[s]! += 1;
      else if (at >= b.day180) this.orders90Before[s]! += 1;
      // The latest purchase naming a country; at the same second, the last by order key.
      if (country !== null) this.country[s] = country;
    }
    return text;
  }

  /** The current customer's rows (snapshots where it has a purchase before the cutoff) as LOAD DATA text, then a reset. */
  finish(): string {
    const id = this.customer;
    if (id === null) return '';
    this.customer = null;
    let text = '';
    for (let s = 0; s < this.bounds.length; s++) {
      if (this.purchases[s]! > 0) {
        this.staged++;
        this.perSnapshot[s]!++;
        text += tsvLine([
          s,
          id,
          this.bounds[s]!.labelEnd === null ? null : this.labelOrders[s]!,
          this.first[s]!,
          this.last[s]!,
          this.purchases[s]!,
          exact(this.netSpend[s]!, id),
          exact(this.purchaseSpend[s]!, id),
          fromUnits(this.maxAmount[s]!),
          this.orders30[s]!,
          exact(this.spend30[s]!, id),
          this.orders90[s]!,
          exact(this.spend90[s]!, id),
          this.orders90Before[s]!,
          this.products[s]!,
          this.cancels[s]!,
          this.country[s]!,
        ]);
      }
      this.labelOrders[s] = 0;
      this.first[s] = null;
      this.last[s] = null;
      this.purchases[s] = 0;
      this.netSpend[s] = 0;
      this.purchaseSpend[s] = 0;
      this.maxAmount[s] = 0;
      this.orders30[s] = 0;
      this.spend30[s] = 0;
      this.orders90[s] = 0;
      this.spend90[s] = 0;
      this.orders90Before[s] = 0;
      this.products[s] = 0;
      this.cancels[s] = 0;
      this.country[s] = null;
    }
    return text;
  }
}

/** A sum of exact units as DECIMAL text; beyond 2^53 units (~900 billion) doubles stop being exact. */
function exact(units: number, customer: string): string {
  if (!Number.isSafeInteger(units))
    throw new RangeError(`customer ${customer}: a spend sum is out of the exact range (${units} / 10,000)`);
  return fromUnits(units);
}
