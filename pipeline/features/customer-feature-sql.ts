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
 * Writes one snapshot's rows with a single INSERT … SELECT from the staged aggregates
 * (stage-customer-aggregates.ts: one row per customer with a purchase before the cutoff, the
 * snapshot's number `index`). Every feature reads only orders strictly before the cutoff (a
 * purchase at 00:00 on T belongs to the label window, not the features); the label reads
 * [cutoff, labelEnd). Population: customers with a purchase before the cutoff (within
 * population.activeDays if set).
 *
 *  recency_days, tenure_days     days from the last / first purchase to the cutoff
 *  frequency                     purchase orders; monetary: net spend (cancellations subtracted when they happened)
 *  avg/max_order_value           over purchase orders
 *  orders_30/90, spend_30/90     the same within the last 30 / 90 days (spend net)
 *  mean_days_between_orders      (last − first) / (frequency − 1); null with one order
 *  distinct_products, cancellations (cancellation orders)
 *  trend                         (orders last 90 d − orders the 90 d before) / their sum, 0 when both are 0
 *  country                       of the latest purchase that names one (at the same second, the
 *                                last by invoice)
 * With `valueTable` (a table keyed by customer holding the snapshot's customer-value figures, see
 * pipeline/value), its figures are written in the same statement.
 *
 * The arithmetic stays the server's (DECIMAL division rounding, TIMESTAMPDIFF): on aggregates of
 * the types its own SUM/MIN/MAX give, it gives the values the grouped query gave.
 */
export async function insertSnapshot(
  conn: PoolConnection,
  runKey: string,
  snap: Snapshot,
  index: number,
  activeDays: number | null,
  aggregates: string,
  valueTable: string | null = null,
): Promise<number> {
  const q = (v: string | number) => conn.escape(v);
  const c = q(`${snap.cutoff} 00:00:00`);
  const active =
    activeDays === null ? '' : ` AND a.last_at >= ${q(`${addDays(snap.cutoff, -activeDays)} 00:00:00`)}`;
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
       a.country${valueTable ? VALUE_COLUMNS.map((col) => `, v.${col}`).join('') : ''}
     FROM ${aggregates} a${valueTable ? ` LEFT JOIN ${valueTable} v ON v.customer_id = a.customer_id` : ''}
     WHERE a.snap = ${Math.floor(index)}${active}`,
  );
  return (res as { affectedRows: number }).affectedRows;
}
