import { and, eq } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import type { Db } from '../../db/client.ts';
import type { BulkTarget } from '../../db/load-infile.ts';
import { loadedFiles, type sourceFiles } from '../../db/schema/index.ts';
import { originHash, type PublishRows, type StagedInput, type StagingTables } from './publish-staged.ts';

/** How long a second run of the same pipeline waits for the first one's load (transactions share one table). */
const PIPELINE_LOCK_S = 600;

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
 * Transactions mode writes each input's lines straight into raw_transactions inside the load's
 * transaction: a second copy through a staging table cost more than the load itself (10 M lines:
 * 60 s staged + 136 s INSERT ... SELECT). File order gives ids in line order, as the sorted copy
 * did; the amount is quantity × unit price when the pipeline maps no amount column.
 */
export function rawTransactionsTarget(
  pipeline: TransactionsPipeline,
): (tables: StagingTables, file: typeof sourceFiles.$inferSelect) => Omit<BulkTarget, 'columns'> {
  const derived: Record<string, string> =
    pipeline.columns.amount === undefined ? { amount: 'ROUND(quantity * unit_price, 4)' } : {};
  return (_tables, file) => ({
    table: 'raw_transactions',
    constants: { pipeline: pipeline.name, source_file_id: file.id },
    derived,
  });
}

/**
 * How a transactions load locks, replaces and records raw_transactions lines; made once per load
 * (the mode's load plan is made per step run). Lines accumulate across runs: exactly the lines of
 * the changed inputs are replaced, and the loaded-files ledger records which version of each input
 * they came from and the primary-key range they lie in. That range replaces an index on
 * (pipeline, file) that cost the 10 M-line load 40 % (see raw_transactions): every id a load writes
 * is above the highest id before it, read under the load's lock, and at most the highest id its
 * own transaction sees at the end.
 */
export function rawTransactionsLedger(pipeline: string): {
  lock(conn: PoolConnection): Promise<void>;
  supersede(conn: PoolConnection, input: Omit<StagedInput, 'staged'>): Promise<void>;
  publish: PublishRows;
} {
  let before: number | undefined;
  return {
    /** Transactions of one pipeline share raw_transactions and the ledger: one load at a time per pipeline. */
    async lock(conn) {
      const [rows] = await conn.query("SELECT GET_LOCK(CONCAT('cpd-load:', DATABASE(), ':', ?), ?) AS got", [
        pipeline,
        PIPELINE_LOCK_S,
      ]);
      if ((rows as { got: number | null }[])[0]?.got !== 1)
        throw new Error(`another run of ${pipeline} is loading (lock busy for ${PIPELINE_LOCK_S}s)`);
      before = await highestId(conn);
    },
    /** The lines of the input's loaded version go, in the load's transaction, before its new lines come. */
    async supersede(conn, { ledger }) {
      if (!ledger) return;
      const where = 'pipeline = ? AND source_file_id = ?';
      const values = [pipeline, ledger.sourceFileId];
      if (ledger.firstId === null || ledger.lastId === null)
        await conn.query(`DELETE FROM raw_transactions WHERE ${where}`, values);
      else
        await conn.query(`DELETE FROM raw_transactions WHERE id BETWEEN ? AND ? AND ${where}`, [
          ledger.firstId,
          ledger.lastId,
          ...values,
        ]);
    },
    async publish(conn, runKey, _tables, inputs) {
      const last = before === undefined ? null : await highestId(conn);
      const first = before === undefined ? null : before + 1;
      for (const { file, staged } of inputs) {
        await conn.query(
          `INSERT INTO loaded_files (pipeline, source, origin_hash, origin, sha256, source_file_id, run_key, \`rows\`, rejected, first_id, last_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE sha256 = VALUES(sha256), source_file_id = VALUES(source_file_id), run_key = VALUES(run_key),
             \`rows\` = VALUES(\`rows\`), rejected = VALUES(rejected), first_id = VALUES(first_id), last_id = VALUES(last_id),
             loaded_at = CURRENT_TIMESTAMP(3)`,
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
            first,
            last,
          ],
        );
      }
    },
  };
}

async function highestId(conn: PoolConnection): Promise<number> {
  const [rows] = await conn.query('SELECT COALESCE(MAX(id), 0) AS id FROM raw_transactions');
  return Number((rows as { id: number | string }[])[0]!.id);
}
