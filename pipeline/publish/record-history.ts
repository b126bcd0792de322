import type { PoolConnection } from 'mysql2/promise';
import { inTransaction } from '../../db/transaction.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { q } from './score-tables.ts';

/**
 * Copies a night's scores into customer_score_history (replacing that night's rows, so a rerun
 * never adds a second copy) and trims nights older than the retention, in one transaction.
 * Server-side INSERT ... SELECT: no row travels through the worker.
 */
export async function recordHistory(
  conn: PoolConnection,
  from: string,
  pipeline: string,
  businessDate: string,
  retentionDays: number,
): Promise<{ rows: number; trimmed: number }> {
  return inTransaction(conn, async () => {
    await conn.query('DELETE FROM customer_score_history WHERE pipeline = ? AND business_date = ?', [
      pipeline,
      businessDate,
    ]);
    const [ins] = await conn.query(
      `INSERT INTO customer_score_history (pipeline, business_date, customer_id, score, decile, segment, model_version, run_key, ${VALUE_COLUMNS.join(', ')})
       SELECT pipeline, business_date, customer_id, score, decile, segment, model_version, run_key, ${VALUE_COLUMNS.join(', ')} FROM ${q(from)} WHERE score IS NOT NULL`,
    );
    const [del] = await conn.query(
      'DELETE FROM customer_score_history WHERE pipeline = ? AND business_date < DATE_SUB(?, INTERVAL ? DAY)',
      [pipeline, businessDate, retentionDays],
    );
    return {
      rows: (ins as { affectedRows: number }).affectedRows,
      trimmed: (del as { affectedRows: number }).affectedRows,
    };
  });
}
