import type { PoolConnection } from 'mysql2/promise';
import { faultPoint } from '../../config/fault-point.ts';
import { q, type ScoreTables, tableExists } from './score-tables.ts';

export class SwapLockTimeoutError extends Error {
  override name = 'SwapLockTimeoutError';
}

/**
 * RENAME TABLE renames every pair in one atomic step: a reader's query runs against the old
 * table or the new one, never against a missing or partial one. It waits for the metadata locks
 * of queries already running on the table, and queries arriving meanwhile queue behind it, so
 * the wait is capped (lock_wait_timeout): a long analyst query makes the step retry later
 * instead of stalling every reader.
 */
export async function renameAtomically(
  conn: PoolConnection,
  pairs: [string, string][],
  lockWaitSeconds: number,
): Promise<void> {
  await conn.query('SET SESSION lock_wait_timeout = ?', [lockWaitSeconds]);
  try {
    await conn.query(`RENAME TABLE ${pairs.map(([a, b]) => `${q(a)} TO ${q(b)}`).join(', ')}`);
  } catch (err) {
    if ((err as { errno?: number }).errno === 1205) {
      throw new SwapLockTimeoutError(
        `RENAME TABLE waited ${lockWaitSeconds}s for queries on ${pairs[0]![0]}; retrying later`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    await conn.query('SET SESSION lock_wait_timeout = DEFAULT');
  }
}

/**
 * Publishes the staging table. A new night moves current to previous (dropping the older
 * previous); a rerun of the night already published replaces current and keeps previous, so
 * "previous" always means the night before. The views are the publish's next phase, not this one.
 */
export async function swapInStaging(
  conn: PoolConnection,
  t: ScoreTables,
  sameRun: boolean,
  lockWaitSeconds: number,
): Promise<void> {
  const hasCurrent = await tableExists(conn, t.current);
  const hasPrevious = await tableExists(conn, t.previous);
  await conn.query(`DROP TABLE IF EXISTS ${q(t.old)}`);
  if (!hasCurrent) {
    await renameAtomically(conn, [[t.next, t.current]], lockWaitSeconds);
  } else if (sameRun) {
    await renameAtomically(
      conn,
      [
        [t.current, t.old],
        [t.next, t.current],
      ],
      lockWaitSeconds,
    );
  } else if (hasPrevious) {
    await renameAtomically(
      conn,
      [
        [t.previous, t.old],
        [t.current, t.previous],
        [t.next, t.current],
      ],
      lockWaitSeconds,
    );
  } else {
    await renameAtomically(
      conn,
      [
        [t.current, t.previous],
        [t.next, t.current],
      ],
      lockWaitSeconds,
    );
  }
  // The worst moment to die: tonight's table is in place, the views may not name it yet.
  faultPoint('score.after-rename');
  await conn.query(`DROP TABLE IF EXISTS ${q(t.old)}`);
}

/** Swaps current and previous (rollback; a second rollback undoes the first). */
export async function swapCurrentAndPrevious(
  conn: PoolConnection,
  t: ScoreTables,
  lockWaitSeconds: number,
): Promise<void> {
  await conn.query(`DROP TABLE IF EXISTS ${q(t.old)}`);
  await renameAtomically(
    conn,
    [
      [t.current, t.old],
      [t.previous, t.current],
      [t.old, t.previous],
    ],
    lockWaitSeconds,
  );
}
