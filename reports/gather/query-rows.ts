import type { Pool } from 'mysql2/promise';

/** Plain rows of a parameterised query; gatherers read with SQL because they aggregate and JSON_EXTRACT. */
export async function queryRows<T>(pool: Pool, statement: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await pool.query(statement, params);
  return rows as T[];
}
