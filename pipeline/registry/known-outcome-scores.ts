import type { Pool, PoolConnection } from 'mysql2/promise';

const BATCH = 5_000;

/** Replaces the run's out-of-fold scores (inside the caller's transaction). */
export async function storeKnownOutcomeScores(
  conn: PoolConnection,
  runKey: string,
  ids: readonly string[],
  scores: Float64Array,
  folds: Uint8Array,
): Promise<void> {
  await conn.query('DELETE FROM known_outcome_scores WHERE run_key = ?', [runKey]);
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = ids.slice(i, i + BATCH).map((id, j) => [runKey, id, scores[i + j], folds[i + j]]);
    await conn.query('INSERT INTO known_outcome_scores (run_key, entity_id, score, fold) VALUES ?', [rows]);
  }
}

/** The run's out-of-fold scores by row id (empty when the mode has no rows of known outcome to score). */
export async function readKnownOutcomeScores(pool: Pool, runKey: string): Promise<Map<string, number>> {
  const [rows] = await pool.query({
    sql: 'SELECT entity_id, score FROM known_outcome_scores WHERE run_key = ?',
    values: [runKey],
    rowsAsArray: true,
  });
  return new Map((rows as [string, number][]).map(([id, s]) => [id, Number(s)]));
}
