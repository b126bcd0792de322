import type { PoolConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../ml/random.ts';
import { insertSnapshot } from '../pipeline/features/customer-feature-sql.ts';
import { addDays, type Snapshot, snapshotsFor } from '../pipeline/features/cutoffs.ts';
import { stageCustomerAggregates } from '../pipeline/features/stage-customer-aggregates.ts';
import { transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

// T = 2024-07-01, H = 30, two training snapshots: cutoffs 07-01, 06-01, 05-02, 04-02.
const T = '2024-07-01';
const RUN = `agg@${T}`;
const snaps = snapshotsFor(transactionsPipeline('agg', { label: { horizonDays: 30, snapshots: 2 } }), T);
const COUNTRIES = ['United Kingdom', 'France', 'germany', 'Germany', 'EIRE', null];

/**
 * Orders of 400 customers over a year, cancellations and amounts with four decimals among them.
 * Some customers' rows spell the id differently (case, accents): one customer to the tables'
 * collation, as clean_orders' key groups them. A customer's orders never share a second.
 */
function orders(): unknown[][] {
  const rng = createRng(11);
  const rows: unknown[][] = [];
  let invoice = 1000;
  for (let c = 0; c < 400; c++) {
    const spellings = c % 10 === 0 ? [`c${c}`, `C${c}`] : c % 10 === 1 ? [`zoe${c}`, `ZOË${c}`] : [`c${c}`];
    const n = 1 + Math.floor(rng.next() * 12);
    const seconds = new Set<number>();
    for (let i = 0; i < n; i++) {
      const s = Math.floor(rng.next() * 400 * 86_400);
      if (seconds.has(s)) continue;
      seconds.add(s);
      const at = new Date(Date.parse('2023-08-01T00:00:00Z') + s * 1000)
        .toISOString()
        .slice(0, 19)
        .replace('T', ' ');
      const cancel = rng.next() < 0.15 ? 1 : 0;
      const amount = (rng.next() * 500 + 0.0001).toFixed(4);
      rows.push([
        RUN,
        spellings[i % spellings.length],
        at,
        `I${invoice++}`,
        cancel,
        cancel ? `-${amount}` : amount,
        1 + Math.floor(rng.next() * 3),
        Math.floor(rng.next() * 3),
        COUNTRIES[Math.floor(rng.next() * COUNTRIES.length)],
      ]);
    }
  }
  return rows;
}

/** The features as one grouped INSERT … SELECT per snapshot defined them before the staged pass (country aside on ties). */
async function reference(conn: PoolConnection, table: string, snap: Snapshot, activeDays: number | null) {
  const q = (v: string) => conn.escape(v);
  const c = q(`${snap.cutoff} 00:00:00`);
  const day = (n: number) => q(`${addDays(snap.cutoff, -n)} 00:00:00`);
  const bp = `(o.ordered_at < ${c} AND o.is_cancel = 0)`;
  const before = `o.ordered_at < ${c}`;
  const orders = (from: string, to = c) =>
    `SUM(o.is_cancel = 0 AND o.ordered_at >= ${from} AND o.ordered_at < ${to})`;
  const first = `MIN(CASE WHEN ${bp} THEN o.ordered_at END)`;
  const last = `MAX(CASE WHEN ${bp} THEN o.ordered_at END)`;
  const label = snap.labelEnd ? `IF(${orders(c, q(`${snap.labelEnd} 00:00:00`))} > 0, 1, 0)` : 'NULL';
  const until = snap.labelEnd ? q(`${snap.labelEnd} 00:00:00`) : c;
  const active = activeDays === null ? '' : ` AND ${last} >= ${day(activeDays)}`;
  await conn.query(
    `INSERT INTO ${table} (run_key, role, cutoff, customer_id, label, recency_days, frequency, monetary, avg_order_value,
       max_order_value, tenure_days, orders_30, spend_30, orders_90, spend_90, mean_days_between_orders, distinct_products,
       cancellations, trend, country)
     SELECT ${q(RUN)}, ${q(snap.role)}, ${q(snap.cutoff)}, o.customer_id, ${label},
       TIMESTAMPDIFF(SECOND, ${last}, ${c}) / 86400,
       SUM(${bp}),
       SUM(CASE WHEN ${before} THEN o.amount ELSE 0 END),
       SUM(CASE WHEN ${bp} THEN o.amount ELSE 0 END) / SUM(${bp}),
       MAX(CASE WHEN ${bp} THEN o.amount END),
       TIMESTAMPDIFF(SECOND, ${first}, ${c}) / 86400,
       ${orders(day(30))},
       SUM(CASE WHEN ${before} AND o.ordered_at >= ${day(30)} THEN o.amount ELSE 0 END),
       ${orders(day(90))},
       SUM(CASE WHEN ${before} AND o.ordered_at >= ${day(90)} THEN o.amount ELSE 0 END),
       IF(SUM(${bp}) > 1, TIMESTAMPDIFF(SECOND, ${first}, ${last}) / 86400 / (SUM(${bp}) - 1), NULL),
       SUM(CASE WHEN ${bp} THEN o.new_products ELSE 0 END),
       SUM(${before} AND o.is_cancel = 1),
       COALESCE((${orders(day(90))} - ${orders(day(180), day(90))}) / NULLIF(${orders(day(180))}, 0), 0),
       SUBSTRING_INDEX(GROUP_CONCAT(CASE WHEN ${bp} THEN o.country END ORDER BY o.ordered_at DESC SEPARATOR '\\n'), '\\n', 1)
     FROM clean_orders o
     WHERE o.run_key = ${q(RUN)} AND o.ordered_at < ${until}
     GROUP BY o.customer_id
     HAVING SUM(${bp}) > 0${active}`,
  );
}

describe('features from the staged aggregates', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('feat_agg');
    await t.database.pool.query(
      'INSERT INTO clean_orders (run_key, customer_id, ordered_at, order_key, is_cancel, amount, line_count, new_products, country) VALUES ?',
      [orders()],
    );
    await t.database.pool.query('CREATE TABLE reference_features LIKE customer_features');
  });
  afterAll(async () => t?.cleanup());

  it.each([null, 45])(
    'equal, every column of every row, to the grouped SQL they replace (population.activeDays %s)',
    async (activeDays) => {
      const conn = await t.database.pool.getConnection();
      try {
        for (const table of ['customer_features', 'reference_features'])
          await conn.query(`DELETE FROM ${table}`);
        const staged = await stageCustomerAggregates(conn, t.database.pool, RUN, snaps, 'tmp_agg');
        let written = 0;
        for (const [i, s] of snaps.entries()) {
          written += await insertSnapshot(conn, RUN, s, i, activeDays, 'tmp_agg');
          await reference(conn, 'reference_features', s, activeDays);
        }
        const [[counts]] = (await conn.query(
          `SELECT (SELECT COUNT(*) FROM customer_features) AS got, (SELECT COUNT(*) FROM reference_features) AS want,
             (SELECT COUNT(*) FROM customer_features f JOIN reference_features r USING (run_key, role, cutoff, customer_id)
              WHERE f.label <=> r.label AND f.recency_days <=> r.recency_days AND f.frequency <=> r.frequency
                AND f.monetary <=> r.monetary AND f.avg_order_value <=> r.avg_order_value AND f.max_order_value <=> r.max_order_value
                AND f.tenure_days <=> r.tenure_days AND f.orders_30 <=> r.orders_30 AND f.spend_30 <=> r.spend_30
                AND f.orders_90 <=> r.orders_90 AND f.spend_90 <=> r.spend_90
                AND f.mean_days_between_orders <=> r.mean_days_between_orders AND f.distinct_products <=> r.distinct_products
                AND f.cancellations <=> r.cancellations AND f.trend <=> r.trend AND BINARY f.country <=> BINARY r.country
                AND BINARY f.customer_id = BINARY r.customer_id) AS same`,
        )) as unknown as [{ got: number; want: number; same: number }[]];
        expect(Number(counts!.want)).toBeGreaterThan(600);
        expect(counts).toEqual({ got: counts!.want, want: counts!.want, same: counts!.want });
        expect(staged.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(written);
        // Differently spelled ids are one customer, named by its earliest row, in every snapshot.
        const [ids] = await conn.query(
          "SELECT DISTINCT customer_id FROM customer_features WHERE customer_id IN ('c0', 'C0', 'zoe1', 'ZOË1')",
        );
        expect((ids as unknown[]).length).toBe(2);
      } finally {
        conn.release();
      }
    },
  );

  it('takes the country of the last purchase by invoice when two share the latest second', async () => {
    const at = '2024-06-20 10:00:00';
    await t.database.pool.query(
      'INSERT INTO clean_orders (run_key, customer_id, ordered_at, order_key, is_cancel, amount, line_count, new_products, country) VALUES ?',
      [
        [
          [RUN, 'tie', '2024-06-01 09:00:00', 'A1', 0, '5.0000', 1, 1, 'Spain'],
          [RUN, 'tie', at, 'B7', 0, '5.0000', 1, 0, 'France'],
          [RUN, 'tie', at, 'B8', 0, '5.0000', 1, 0, 'Belgium'],
          [RUN, 'tie', at, 'B9', 0, '5.0000', 1, 0, null],
        ],
      ],
    );
    const conn = await t.database.pool.getConnection();
    try {
      await conn.query('DELETE FROM customer_features');
      await stageCustomerAggregates(conn, t.database.pool, RUN, snaps, 'tmp_agg');
      await insertSnapshot(conn, RUN, snaps[0]!, 0, null, 'tmp_agg');
      const [rows] = await conn.query(
        "SELECT frequency, country FROM customer_features WHERE customer_id = 'tie' AND role = 'score'",
      );
      expect(rows).toEqual([{ frequency: 4, country: 'Belgium' }]);
    } finally {
      conn.release();
    }
  });
});
