import type { Pool, PoolConnection } from 'mysql2/promise';
import { inTransaction } from '../../db/transaction.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { q } from './score-tables.ts';

/** Writes a night's scored rows (score not null) into customer_score_history; returns how many. */
export type HistoryFill = (conn: PoolConnection) => Promise<number>;

/**
 * Copies a night's scores into customer_score_history (replacing that night's rows, so a rerun
 * never adds a second copy) and trims nights older than the retention, in one transaction.
 * `fill` writes the rows: from the staging table (below) or straight from the score step's spool.
 * With `commitAfter`, the transaction commits only once that settles fulfilled (rolled back if it
 * rejects): the history written beside the staging table stands only if staging succeeded.
 */
export async function recordHistory(
  source: Pool | PoolConnection,
  fill: HistoryFill,
  pipeline: string,
  businessDate: string,
  retentionDays: number,
  commitAfter?: Promise<unknown>,
): Promise<{ rows: number; trimmed: number }> {
  return inTransaction(source, async (conn) => {
    await conn.query('DELETE FROM customer_score_history WHERE pipeline = ? AND business_date = ?', [
      pipeline,
      businessDate,
    ]);
    const rows = await fill(conn);
    const [del] = await conn.query(
      'DELETE FROM customer_score_history WHERE pipeline = ? AND business_date < DATE_SUB(?, INTERVAL ? DAY)',
      [pipeline, businessDate, retentionDays],
    );
    await commitAfter;
    return { rows, trimmed: (del as { affectedRows: number }).affectedRows };
  });
}

/** The history from a staged scores table: server-side INSERT ... SELECT, no row travels through the worker. */
export function historyFromTable(from: string): HistoryFill {
  return async (conn) => {
    const [ins] = await conn.query(
      `INSERT INTO customer_score_history (pipeline, business_date, customer_id, score, decile, segment, model_version, run_key, ${VALUE_COLUMNS.join(', ')})
       SELECT pipeline, business_date, customer_id, score, decile, segment, model_version, run_key, ${VALUE_COLUMNS.join(', ')} FROM ${q(from)} WHERE score IS NOT NULL`,
    );
    return (ins as { affectedRows: number }).affectedRows;
  };
}
