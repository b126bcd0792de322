import type { Pool } from 'mysql2/promise';

/** MySQL error codes that mean "this table or column does not exist (yet)". */
const MISSING_SCHEMA = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_TABLE_ERROR']);

/** Plain rows of a parameterised query; gatherers read with SQL because they aggregate and JSON_EXTRACT. */
export async function queryRows<T>(pool: Pool, statement: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await pool.query(statement, params);
  return rows as T[];
}

/**
 * Runs one section's gatherer; a table another area has not migrated yet (or a column it has not
 * added) omits the section instead of failing the report. Every other error propagates, so a lost
 * connection is retried like any step failure.
 */
export async function optionalSection<T>(gather: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await gather();
  } catch (error) {
    if (MISSING_SCHEMA.has((error as { code?: string }).code ?? '')) return undefined;
    throw error;
  }
}

/** JSON columns come back parsed from MySQL and as text from MariaDB. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    return JSON.parse(value);
  } catch {
    // Not JSON after all (a plain string in a JSON column): the caller sees it as text.
    return value;
  }
}
