import { createHash } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { Pipeline } from '../../config/pipeline.ts';
import type { loadedFiles, sourceFiles } from '../../db/schema/index.ts';
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

export async function createStaging(conn: PoolConnection, tables: StagingTables, mode: Pipeline['mode']): Promise<void> {
  await dropStaging(conn, tables);
  // No keys, no indexes: the bulk write is the hot path; publish sorts once.
  const columns =
    mode === 'transactions'
      ? `source_file_id INT NOT NULL, line INT NOT NULL, invoice VARCHAR(64), product_code VARCHAR(64), description VARCHAR(255),
         quantity DECIMAL(14,3), invoiced_at DATETIME NOT NULL, unit_price DECIMAL(14,4), amount DECIMAL(16,4), customer_id VARCHAR(64), country VARCHAR(64)`
      : 'source_file_id INT NOT NULL, line INT NOT NULL, cells LONGTEXT NOT NULL';
  await conn.query(`CREATE TABLE \`${tables.rows}\` (${columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await conn.query(`CREATE TABLE \`${tables.rejects}\` LIKE rejected_rows`);
}

export async function dropStaging(conn: PoolConnection, tables: StagingTables): Promise<void> {
  await conn.query(`DROP TABLE IF EXISTS \`${tables.rows}\`, \`${tables.rejects}\``);
}

export interface StagedInput {
  file: typeof sourceFiles.$inferSelect;
  /** The version of this input whose lines are published now (transactions mode). */
  ledger: typeof loadedFiles.$inferSelect | undefined;
  staged: StagedFile;
}

/**
 * Publishes the staged rows in one transaction: the run's (labeled) or the changed files'
 * (transactions) previous rows are replaced, rejects and the ledger written alongside. Readers see
 * either yesterday's tables or today's, never a mix; a failure rolls everything back.
 */
export async function publishStaged(conn: PoolConnection, runKey: string, pipeline: Pipeline, tables: StagingTables, inputs: StagedInput[]): Promise<void> {
  await conn.beginTransaction();
  try {
    if (pipeline.mode === 'transactions') {
      for (const { file, ledger } of inputs) {
        if (ledger) await conn.query('DELETE FROM raw_transactions WHERE pipeline = ? AND source_file_id = ?', [pipeline.name, ledger.sourceFileId]);
        await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load' AND source = ?", [runKey, file.path]);
      }
      await conn.query(
        `INSERT INTO raw_transactions (pipeline, source_file_id, line, invoice, product_code, description, quantity, invoiced_at, unit_price, amount, customer_id, country)
         SELECT ?, source_file_id, line, invoice, product_code, description, quantity, invoiced_at, unit_price,
                COALESCE(amount, ROUND(quantity * unit_price, 4)), customer_id, country
         FROM \`${tables.rows}\` ORDER BY source_file_id, line`,
        [pipeline.name],
      );
      for (const { file, staged } of inputs) {
        await conn.query(
          `INSERT INTO loaded_files (pipeline, source, origin_hash, origin, sha256, source_file_id, run_key, \`rows\`, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE sha256 = VALUES(sha256), source_file_id = VALUES(source_file_id), run_key = VALUES(run_key),
             \`rows\` = VALUES(\`rows\`), rejected = VALUES(rejected), loaded_at = CURRENT_TIMESTAMP(3)`,
          [pipeline.name, file.source, originHash(file.origin), file.origin, file.sha256, file.id, runKey, staged.loaded, staged.rejected],
        );
      }
    } else {
      await conn.query('DELETE FROM raw_rows WHERE run_key = ?', [runKey]);
      await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load'", [runKey]);
      await conn.query(`INSERT INTO raw_rows (run_key, source_file_id, line, cells) SELECT ?, source_file_id, line, cells FROM \`${tables.rows}\` ORDER BY source_file_id, line`, [
        runKey,
      ]);
    }
    await conn.query(
      `INSERT INTO rejected_rows (run_key, step, source, line, column_name, reason, raw)
       SELECT run_key, step, source, line, column_name, reason, raw FROM \`${tables.rejects}\` ORDER BY id`,
    );
    for (const { file, ledger, staged } of inputs) {
      await conn.query('UPDATE source_files SET `rows` = ?, rejected = ?, header = ?, action = ? WHERE id = ?', [
        staged.read,
        staged.rejected,
        JSON.stringify(staged.header),
        ledger ? 'replaced' : 'loaded',
        file.id,
      ]);
    }
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  }
}

export function originHash(origin: string): string {
  return createHash('sha1').update(origin).digest('hex');
}
