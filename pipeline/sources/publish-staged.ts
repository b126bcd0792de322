import { createHash } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { loadedFiles, sourceFiles } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { StagedFile } from './stage-file.ts';

export interface StagingTables {
  rows: string;
  rejects: string;
}

/** One staging pair per run key: a retried attempt drops what a crashed one left behind. */
export function stagingTables(runKey: string): StagingTables {
  const id = createHash('sha1').update(runKey).digest('hex').slice(0, 16);
  return { rows: `stg_load_${id}`, rejects: `stg_load_${id}_rej` };
}

/**
 * `columns`: the staging rows' column definitions, the shape of the mode's raw table; undefined
 * when the mode writes its rows straight into the raw table (only the rejects are staged then).
 */
export async function createStaging(
  conn: PoolConnection,
  tables: StagingTables,
  columns: string | undefined,
): Promise<void> {
  await dropStaging(conn, tables);
  // No keys, no indexes: the bulk write is the hot path; publish sorts once. MyISAM where the
  // server has it: rows that live for one load and are read once need no redo or undo (writing
  // 1 M transaction lines: 6.5 s vs InnoDB's 14.1 s); a failed load drops the table either way.
  // A server without it (disabled_storage_engines, some managed services) stages in InnoDB.
  const create = (engine: string) =>
    conn.query(`CREATE TABLE \`${tables.rows}\` (${columns}) ENGINE=${engine} DEFAULT CHARSET=utf8mb4`);
  if (columns !== undefined) await create('MyISAM').catch(() => create('InnoDB'));
  await conn.query(`CREATE TABLE \`${tables.rejects}\` LIKE rejected_rows`);
}

export async function dropStaging(conn: PoolConnection, tables: StagingTables): Promise<void> {
  await conn.query(`DROP TABLE IF EXISTS \`${tables.rows}\`, \`${tables.rejects}\``);
}

export interface StagedInput {
  file: typeof sourceFiles.$inferSelect;
  /** The loaded version of this input whose lines are replaced now (modes that skip unchanged inputs). */
  ledger: typeof loadedFiles.$inferSelect | undefined;
  staged: StagedFile;
}

/**
 * Publishes the rows written during the load (the mode's part, see LoadPlan.publish) inside the
 * load's transaction, after every input's rows are written.
 */
export type PublishRows = (
  conn: PoolConnection,
  runKey: string,
  tables: StagingTables,
  inputs: StagedInput[],
) => Promise<void>;

/**
 * The end of a load, inside the transaction that wrote its rows: the mode's rows published by
 * `publishRows`, the inputs' earlier load rejects replaced by tonight's, and the inputs' figures
 * written alongside. Readers see either yesterday's tables or today's, never a mix; a failure rolls
 * everything back, the rows written while streaming included.
 */
export async function publishStaged(
  conn: PoolConnection,
  runKey: string,
  tables: StagingTables,
  inputs: StagedInput[],
  publishRows: PublishRows,
): Promise<void> {
  await publishRows(conn, runKey, tables, inputs);
  for (const { file } of inputs)
    await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load' AND source = ?", [
      runKey,
      file.path,
    ]);
  await conn.query(
    `INSERT INTO rejected_rows (run_key, step, source, line, column_name, reason, raw)
     SELECT run_key, step, source, line, column_name, reason, raw FROM \`${tables.rejects}\` ORDER BY id`,
  );
  for (const { file, ledger, staged } of inputs) {
    await conn.query(
      'UPDATE source_files SET `rows` = ?, rejected = ?, header = ?, action = ? WHERE id = ?',
      [staged.read, staged.rejected, JSON.stringify(staged.header), ledger ? 'replaced' : 'loaded', file.id],
    );
  }
}

/**
 * A load that failed for too many rejects publishes nothing, but its first `limit` refused lines
 * (file order) are kept in rejected_rows so the operator can see what was refused; they replace
 * what an earlier attempt kept for the same inputs, and a later successful load replaces them.
 */
export async function keepFailedRejects(
  conn: PoolConnection,
  runKey: string,
  tables: StagingTables,
  limit: number,
): Promise<number> {
  return inTransaction(conn, async () => {
    await conn.query(
      `DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load' AND source IN (SELECT DISTINCT source FROM \`${tables.rejects}\`)`,
      [runKey],
    );
    const [res] = await conn.query(
      `INSERT INTO rejected_rows (run_key, step, source, line, column_name, reason, raw)
       SELECT run_key, step, source, line, column_name, reason, raw FROM \`${tables.rejects}\` ORDER BY id LIMIT ?`,
      [limit],
    );
    return (res as { affectedRows: number }).affectedRows;
  });
}

export function originHash(origin: string): string {
  return createHash('sha1').update(origin).digest('hex');
}
