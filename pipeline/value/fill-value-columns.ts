import type { PoolConnection } from 'mysql2/promise';

/** The customer-value columns of the scores tables and history, in this order everywhere. */
export const VALUE_COLUMNS = [
  'p_alive',
  'expected_orders',
  'expected_spend',
  'expected_revenue',
  'clv_12m',
  'next_order_days',
] as const;

/**
 * Copies the run's customer-value figures from its scoring rows in customer_features into a
 * staged scores table, server-side. A run without them (labeled mode, value off, a refused fit)
 * leaves the columns null: the feature set's warnings say why.
 */
export async function fillValueColumns(conn: PoolConnection, table: string, runKey: string): Promise<number> {
  const [rows] = await conn.query(
    "SELECT DATE_FORMAT(cutoff, '%Y-%m-%d') AS cutoff FROM customer_features WHERE run_key = ? AND role = 'score' AND p_alive IS NOT NULL LIMIT 1",
    [runKey],
  );
  const cutoff = (rows as { cutoff: string }[])[0]?.cutoff;
  if (!cutoff) return 0;
  // The cutoff completes the primary key prefix, so the join is one index lookup per customer.
  const [res] = await conn.query(
    `UPDATE \`${table.replace(/`/g, '``')}\` s JOIN customer_features f
       ON f.run_key = ? AND f.role = 'score' AND f.cutoff = ? AND f.customer_id = s.customer_id
     SET ${VALUE_COLUMNS.map((c) => `s.${c} = f.${c}`).join(', ')}`,
    [runKey, cutoff],
  );
  return (res as { affectedRows: number }).affectedRows;
}
