import { and, eq } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../db/client.ts';
import { loadedFiles, type sourceFiles } from '../../db/schema/index.ts';
import { originHash, type PublishRows } from './publish-staged.ts';

/** How long a second run of the same pipeline waits for the first one's load (transactions share one table). */
const PIPELINE_LOCK_S = 600;

/** Transactions mode's staging rows: the typed columns of raw_transactions (see transactionRows). */
export const rawTransactionsStaging = `source_file_id INT NOT NULL, line INT NOT NULL, invoice VARCHAR(64), product_code VARCHAR(64), description VARCHAR(255),
         quantity DECIMAL(14,3), invoiced_at DATETIME NOT NULL, unit_price DECIMAL(14,4), amount DECIMAL(16,4), customer_id VARCHAR(64), country VARCHAR(64)`;

/** Transactions of one pipeline share raw_transactions and the ledger: one load at a time per pipeline. */
export async function lockTransactionsLoad(conn: PoolConnection, pipeline: string): Promise<void> {
  const [rows] = await conn.query("SELECT GET_LOCK(CONCAT('cpd-load:', DATABASE(), ':', ?), ?) AS got", [
    pipeline,
    PIPELINE_LOCK_S,
  ]);
  if ((rows as { got: number | null }[])[0]?.got !== 1)
    throw new Error(`another run of ${pipeline} is loading (lock busy for ${PIPELINE_LOCK_S}s)`);
}

/** The version of this input (same source and origin) whose lines are in raw_transactions, if any. */
export async function loadedVersion(
  db: Db,
  pipeline: string,
  file: typeof sourceFiles.$inferSelect,
): Promise<typeof loadedFiles.$inferSelect | undefined> {
  const [row] = await db
    .select()
    .from(loadedFiles)
    .where(
      and(
        eq(loadedFiles.pipeline, pipeline),
        eq(loadedFiles.source, file.source),
        eq(loadedFiles.originHash, originHash(file.origin)),
      ),
    );
  return row;
}

/**
 * Transactions mode: lines accumulate across runs. Exactly the lines of the changed inputs are
 * replaced, and the ledger records which version of each input they came from.
 */
export function publishRawTransactions(pipeline: string): PublishRows {
  return async (conn, runKey, tables, inputs) => {
    for (const { file, ledger } of inputs) {
      if (ledger)
        await conn.query('DELETE FROM raw_transactions WHERE pipeline = ? AND source_file_id = ?', [
          pipeline,
          ledger.sourceFileId,
        ]);
      await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load' AND source = ?", [
        runKey,
        file.path,
      ]);
    }
    await conn.query(
      `INSERT INTO raw_transactions (pipeline, source_file_id, line, invoice, product_code, description, quantity, invoiced_at, unit_price, amount, customer_id, country)
       SELECT ?, source_file_id, line, invoice, product_code, description, quantity, invoiced_at, unit_price,
              COALESCE(amount, ROUND(quantity * unit_price, 4)), customer_id, country
       FROM \`${tables.rows}\` ORDER BY source_file_id, line`,
      [pipeline],
    );
    for (const { file, staged } of inputs) {
      await conn.query(
        `INSERT INTO loaded_files (pipeline, source, origin_hash, origin, sha256, source_file_id, run_key, \`rows\`, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE sha256 = VALUES(sha256), source_file_id = VALUES(source_file_id), run_key = VALUES(run_key),
           \`rows\` = VALUES(\`rows\`), rejected = VALUES(rejected), loaded_at = CURRENT_TIMESTAMP(3)`,
        [
          pipeline,
          file.source,
          originHash(file.origin),
          file.origin,
          file.sha256,
          file.id,
          runKey,
          staged.loaded,
          staged.rejected,
        ],
      );
    }
  };
}
