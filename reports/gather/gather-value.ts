import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { CustomerValueReport } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

/** The run's customer-value fits and validation as its features step recorded them (transactions mode). */
export async function gatherValue(pool: Pool, runKey: string): Promise<CustomerValueReport | undefined> {
  const [row] = await queryRows<{ customer_value: unknown }>(
    pool,
    'SELECT customer_value FROM feature_sets WHERE run_key = ?',
    [runKey],
  );
  const value = parseJsonValue<CustomerValueReport | null>(row?.customer_value ?? null);
  return value ?? undefined;
}
