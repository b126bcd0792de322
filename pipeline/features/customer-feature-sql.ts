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
 *  country                       of the latest purchase
 * With `valueTable` (a table keyed by customer holding the snapshot's customer-value figures, see
 * pipeline/value), its figures are written in the same statement: no second pass over the rows.
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
  const first = `MIN(CASE WHEN ${bp} THEN o.ordered_at END)`;
  const last = `MAX(CASE WHEN ${bp} THEN o.ordered_at END)`;
  const label = snap.labelEnd ? `IF(${orders(c, q(`${snap.labelEnd} 00:00:00`))} > 0, 1, 0)` : 'NULL';
  const until = snap.labelEnd ? q(`${snap.labelEnd} 00:00:00`) : c;
  const active = activeDays === null ? '' : ` AND ${last} >= ${day(activeDays)}`;
  const [res] = await conn.query(
    `INSERT INTO customer_features (run_key, role, cutoff, customer_id, label, ${customerFeatureNames.join(', ')}${valueTable ? `, ${VALUE_COLUMNS.join(', ')}` : ''})
     SELECT ${q(runKey)}, ${q(snap.role)}, ${q(snap.cutoff)}, o.customer_id, ${label},
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
       SUBSTRING_INDEX(GROUP_CONCAT(CASE WHEN ${bp} THEN o.country END ORDER BY o.ordered_at DESC SEPARATOR '\\n'), '\\n', 1)${valueTable ? VALUE_COLUMNS.map((col) => `, MAX(v.${col})`).join('') : ''}
     FROM clean_orders o${valueTable ? ` LEFT JOIN ${valueTable} v ON v.customer_id = o.customer_id` : ''}
     WHERE o.run_key = ${q(runKey)} AND o.ordered_at < ${until}
     GROUP BY o.customer_id
     HAVING SUM(${bp}) > 0${active}`,
  );
  return (res as { affectedRows: number }).affectedRows;
}
