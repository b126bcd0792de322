import { drizzle } from 'drizzle-orm/mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { Db } from './client.ts';
import * as schema from './schema/index.ts';

/**
 * Runs `work` on one pooled connection inside a transaction: committed when it returns, rolled back
 * when it throws, so a step's output for a run key is replaced whole or not at all. `work` gets the
 * raw connection (bulk SQL, session variables) and a Drizzle handle on the same connection
 * (ordinary rows), so both idioms write inside the one transaction. A connection whose rollback
 * fails (it was killed mid-statement) is destroyed, never returned to the pool.
 */
export async function inTransaction<T>(pool: Pool, work: (conn: PoolConnection, db: Db) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  let broken = false;
  try {
    await conn.beginTransaction();
    const result = await work(conn, drizzle(conn, { schema, mode: 'default' }));
    await conn.commit();
    return result;
  } catch (err) {
    await conn.rollback().catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    if (broken) conn.destroy();
    else conn.release();
  }
}
