import { and, desc, eq, gt } from 'drizzle-orm';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { modelVersions } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { linkRunModel, type ModelVersion, retryOnDeadlock } from './model-store.ts';

export interface ReuseRequest {
  pipeline: string;
  runKey: string;
  /** fitKeyOf(...).key of tonight's rows and recipe. */
  fitKey: string;
  /** The mode scores rows of known outcome out of fold: the run needs them, copied from a run of the version. */
  knownOutcomes: boolean;
}

/**
 * Identical data, params and seed fit the identical model: when the pipeline already has a version
 * with tonight's fit key, the run uses it instead of fitting and storing a copy. The run is linked
 * to that version and gets the out-of-fold scores of an earlier run of it, in one transaction
 * (with `alongside`, the caller's writes). Null when there is nothing to reuse (or the known-outcome
 * scores are gone): the caller fits as usual.
 */
export async function reuseFittedVersion(
  pool: Pool,
  req: ReuseRequest,
  alongside?: (conn: PoolConnection, version: ModelVersion) => Promise<void>,
): Promise<ModelVersion | null> {
  return retryOnDeadlock(() =>
    inTransaction(pool, async (conn, tx) => {
      const [version] = await tx
        .select()
        .from(modelVersions)
        .where(
          and(
            eq(modelVersions.pipeline, req.pipeline),
            eq(modelVersions.fitKey, req.fitKey),
            gt(modelVersions.modelChunks, 0),
          ),
        )
        .orderBy(desc(modelVersions.id))
        .limit(1);
      if (!version) return null;
      if (req.knownOutcomes && !(await copyKnownOutcomeScores(conn, version, req.runKey))) return null;
      if (!req.knownOutcomes)
        await conn.query('DELETE FROM known_outcome_scores WHERE run_key = ?', [req.runKey]);
      await linkRunModel(conn, req.runKey, req.pipeline, version.id, version.runKey !== req.runKey);
      await alongside?.(conn, version);
      return version;
    }),
  );
}

/**
 * The run's out-of-fold scores from a run of the same version (same rows, same recipe: the same
 * scores a refit would give). False when no run of it has them any more.
 */
async function copyKnownOutcomeScores(
  conn: PoolConnection,
  version: ModelVersion,
  runKey: string,
): Promise<boolean> {
  const [linked] = await conn.query(
    'SELECT run_key FROM run_models WHERE version_id = ? ORDER BY updated_at DESC',
    [version.id],
  );
  const sources = [version.runKey, ...(linked as { run_key: string }[]).map((r) => r.run_key)];
  for (const source of new Set(sources)) {
    const [has] = await conn.query('SELECT 1 FROM known_outcome_scores WHERE run_key = ? LIMIT 1', [source]);
    if ((has as unknown[]).length === 0) continue;
    // The run's own scores (a rerun on the same rows) are already the version's.
    if (source === runKey) return true;
    await conn.query('DELETE FROM known_outcome_scores WHERE run_key = ?', [runKey]);
    await conn.query(
      `INSERT INTO known_outcome_scores (run_key, entity_id, score, fold)
       SELECT ?, entity_id, score, fold FROM known_outcome_scores WHERE run_key = ?`,
      [runKey, source],
    );
    return true;
  }
  return false;
}
