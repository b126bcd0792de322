import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../db/client.ts';
import { logPublication } from './publication-log.ts';
import { scoreTables, tableRun } from './score-tables.ts';
import { swapCurrentAndPrevious } from './swap-tables.ts';

export class NothingToRollBackError extends Error {
  override name = 'NothingToRollBackError';
}

export interface RollbackResult {
  pipeline: string;
  /** The run now published. */
  restoredRunKey: string;
  /** The run rolled back (now the previous table: a second rollback brings it back). */
  replacedRunKey: string;
}

/**
 * Puts the previous published scores back, in one RENAME (current and previous swap places),
 * under the same per-pipeline lock as the score step's publish, and records who did it.
 */
export async function rollbackScores(
  db: Db,
  conn: PoolConnection,
  pipeline: string,
  actor: string,
  lockWaitSeconds = 10,
): Promise<RollbackResult> {
  const t = scoreTables(pipeline);
  const lock = `cpd-publish/${t.pipeline}/`;
  const [got] = await conn.query("SELECT GET_LOCK(CONCAT('cpd:', SHA1(CONCAT(?, DATABASE()))), 30) AS got", [
    lock,
  ]);
  if ((got as { got: number | null }[])[0]?.got !== 1)
    throw new Error(`a publish of ${pipeline} is running; try again when it is done`);
  try {
    const current = await tableRun(conn, t.current);
    const previous = await tableRun(conn, t.previous);
    if (!current || !previous) {
      throw new NothingToRollBackError(
        `${pipeline}: ${current ? 'no previous scores are kept' : 'no scores are published'}; nothing to roll back to`,
      );
    }
    await swapCurrentAndPrevious(conn, t, lockWaitSeconds);
    await logPublication(db, {
      pipeline,
      action: 'rollback',
      runKey: previous.runKey,
      replacedRunKey: current.runKey,
      rows: previous.rows,
      actor,
    });
    return { pipeline, restoredRunKey: previous.runKey, replacedRunKey: current.runKey };
  } finally {
    await conn.query("SELECT RELEASE_LOCK(CONCAT('cpd:', SHA1(CONCAT(?, DATABASE()))))", [lock]);
  }
}
