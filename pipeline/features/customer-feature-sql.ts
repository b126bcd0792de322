import type { PoolConnection } from 'mysql2/promise';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { addDays, type Snapshot } from './cutoffs.ts';

/** The feature columns of customer_features, in model order; `country` is the one categorical. */
export const customerFeatureNames = [
  'recency_days',
  'frequency',
  'monetary',
  'avg_order_value',
  'max_order_value',
  'tenure_days',
  'orders_30',
  'spend_30',
  'orders_90',
  'spend_90',
  'mean_days_between_orders',
  'distinct_products',
  'cancellations',
  'trend',
  'country',
] as const;
export const categoricalFeatures = new Set<string>(['country']);
/**
 * Customer-value figures (pipeline/value, fitted per snapshot) that join the model when every
 * snapshot of the run has them: P(alive) and expected orders in the label horizon.
 */
export const valueFeatureNames = ['p_alive', 'expected_orders'] as const;

/**
 * Writes one snapshot's rows with a single INSERT … SELECT over clean_orders, grouped by customer
 * in clustered-key order. Every feature reads only orders strictly before the cutoff (a purchase
 * at 00:00 on T belongs to the label window, not the features); the label reads [cutoff, labelEnd).
 * Population: customers with a purchase before the cutoff (within population.activeDays if set).
 *
 *  recency_days, tenure_days     days from the last / first purchase to the cutoff
 *  frequency                     purchase orders; monetary: net spend (cancellations subtracted when they happened)
 *  avg/max_order_value           over purchase orders
 *  orders_30/90, spend_30/90     the same within the last 30 / 90 days (spend net)
 *  mean_days_between_orders      (last − first) / (frequency − 1); null with one order
 *  distinct_products, cancellations (cancellation orders)
 *  trend                         (orders last 90 d − orders the 90 d before) / their sum, 0 when both are 0
 *  country                       of the latest purchase that names one (the greatest name when
 *                                purchases at that same second name several)
 * With `valueTable` (a table keyed by customer holding the snapshot's customer-value figures, see
 * pipeline/value), its figures are written in the same statement: no second pass over the rows.
 *
 * Each aggregate is computed once, in a derived table grouped by customer, and the features are
 * arithmetic on those outside it: the server evaluates every aggregate expression on every order
 * row (it does not share repeated ones), so writing the features directly as before evaluated 26
 * aggregates per order (32 with the value join, which also ran once per order instead of once per
 * customer), and that evaluation, not the scan, was most of a snapshot's time at 1 M customers.
 * The derived table's columns keep the aggregates' types (DECIMAL sums, DATETIME bounds), so the
 * arithmetic outside gives the same values as before.
 */
export async function insertSnapshot(
  conn: PoolConnection,
  runKey: string,
  snap: Snapshot,
  activeDays: number | null,
  valueTable: string | null = null,
): Promise<number> {
  const q = (v: string | number) => conn.escape(v);
  const c = q(`${snap.cutoff} 00:00:00`);
  const day = (n: number) => q(`${addDays(snap.cutoff, -n)} 00:00:00`);
  const bp = `(o.ordered_at < ${c} AND o.is_cancel = 0)`;
  const before = `o.ordered_at < ${c}`;
  const orders = (from: string, to = c) =>
    `SUM(o.is_cancel = 0 AND o.ordered_at >= ${from} AND o.ordered_at < ${to})`;
  const until = snap.labelEnd ? q(`${snap.labelEnd} 00:00:00`) : c;
  const active = activeDays === null ? '' : ` AND last_at >= ${day(activeDays)}`;
  // The latest purchase's country: the time as text (19 characters) orders like the time.
  const aggregates = [
    snap.labelEnd ? `${orders(c, q(`${snap.labelEnd} 00:00:00`))} AS label_orders` : 'NULL AS label_orders',
    `MIN(CASE WHEN ${bp} THEN o.ordered_at END) AS first_at`,
    `MAX(CASE WHEN ${bp} THEN o.ordered_at END) AS last_at`,
    `SUM(${bp}) AS purchases`,
    `SUM(CASE WHEN ${before} THEN o.amount ELSE 0 END) AS net_spend`,
    `SUM(CASE WHEN ${bp} THEN o.amount ELSE 0 END) AS purchase_spend`,
    `MAX(CASE WHEN ${bp} THEN o.amount END) AS max_amount`,
    `${orders(day(30))} AS orders_30`,
    `SUM(CASE WHEN ${before} AND o.ordered_at >= ${day(30)} THEN o.amount ELSE 0 END) AS spend_30`,
    `${orders(day(90))} AS orders_90`,
    `SUM(CASE WHEN ${before} AND o.ordered_at >= ${day(90)} THEN o.amount ELSE 0 END) AS spend_90`,
    `${orders(day(180), day(90))} AS orders_90_before`,
    `SUM(CASE WHEN ${bp} THEN o.new_products ELSE 0 END) AS products`,
    `SUM(${before} AND o.is_cancel = 1) AS cancels`,
    `MAX(CASE WHEN ${bp} THEN CONCAT(o.ordered_at, o.country) END) AS latest_country`,
  ];
  const [res] = await conn.query(
    `INSERT INTO customer_features (run_key, role, cutoff, customer_id, label, ${customerFeatureNames.join(', ')}${valueTable ? `, ${VALUE_COLUMNS.join(', ')}` : ''})
     SELECT ${q(runKey)}, ${q(snap.role)}, ${q(snap.cutoff)}, a.customer_id, ${snap.labelEnd ? 'IF(a.label_orders > 0, 1, 0)' : 'NULL'},
       TIMESTAMPDIFF(SECOND, a.last_at, ${c}) / 86400,
       a.purchases,
       a.net_spend,
       a.purchase_spend / a.purchases,
       a.max_amount,
       TIMESTAMPDIFF(SECOND, a.first_at, ${c}) / 86400,
       a.orders_30,
       a.spend_30,
       a.orders_90,
       a.spend_90,
       IF(a.purchases > 1, TIMESTAMPDIFF(SECOND, a.first_at, a.last_at) / 86400 / (a.purchases - 1), NULL),
       a.products,
       a.cancels,
       COALESCE((a.orders_90 - a.orders_90_before) / NULLIF(a.orders_90 + a.orders_90_before, 0), 0),
       SUBSTRING(a.latest_country, 20)${valueTable ? VALUE_COLUMNS.map((col) => `, v.${col}`).join('') : ''}
     FROM (
       SELECT o.customer_id, ${aggregates.join(', ')}
       FROM clean_orders o
       WHERE o.run_key = ${q(runKey)} AND o.ordered_at < ${until}
       GROUP BY o.customer_id
       HAVING purchases > 0${active}
     ) a${valueTable ? ` LEFT JOIN ${valueTable} v ON v.customer_id = a.customer_id` : ''}`,
  );
  return (res as { affectedRows: number }).affectedRows;
}
