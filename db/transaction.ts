import { drizzle } from 'drizzle-orm/mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { Db } from './client.ts';
import * as schema from './schema/index.ts';

/**
 * Runs `work` on one pooled connection inside a transaction: committed when it returns, rolled back
 * when it throws, so a step's output for a run key is replaced whole or not at all. `work` gets the
 * raw connection (bulk SQL, session variables) and a Drizzle handle on the same connection
 * (ordinary rows), so both idioms write inside the one transaction. Given a pool it takes and
 * returns a connection; given a connection it uses that one and leaves it to the caller. A pooled
 * connection whose rollback fails (it was killed mid-statement) is destroyed, never reused.
 */
export async function inTransaction<T>(
  source: Pool | PoolConnection,
  work: (conn: PoolConnection, db: Db) => Promise<T>,
): Promise<T> {
  // A connection the caller holds (session variables, a staging table) stays the caller's to release.
  const borrowed = !('getConnection' in source);
  const conn = borrowed ? source : await source.getConnection();
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
    if (!borrowed) {
      if (broken) conn.destroy();
      else conn.release();
    }
  }
}
