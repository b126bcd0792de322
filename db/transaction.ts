import type { Pool, PoolConnection } from 'mysql2/promise';

/**
 * Runs `work` on one pooled connection inside a transaction: committed when it returns, rolled back
 * when it throws, so a step's output for a run key is replaced whole or not at all.
 */
export async function inTransaction<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const result = await work(conn);
    await conn.commit();
    return result;
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}
