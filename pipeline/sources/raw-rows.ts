import type { BulkTarget } from '../../db/load-infile.ts';
import type { sourceFiles } from '../../db/schema/index.ts';
import type { PublishRows, StagingTables } from './publish-staged.ts';

/** Labeled mode's staging rows: the cells of each line as read, one JSON array (see labeledRows). */
export const rawRowsStaging = 'source_file_id INT NOT NULL, line INT NOT NULL, cells LONGTEXT NOT NULL';

/**
 * Labeled mode stages: its rows are one run's, replaced whole, and a labeled input is small next
 * to a night of transactions, so the copy at publish stays (see rawTransactionsTarget).
 */
export function rawRowsTarget(
  tables: StagingTables,
  file: typeof sourceFiles.$inferSelect,
): Omit<BulkTarget, 'columns'> {
  return { table: tables.rows, constants: { source_file_id: file.id } };
}

/** Labeled mode: the run's raw_rows and load rejects are replaced whole by tonight's staged lines. */
export const publishRawRows: PublishRows = async (conn, runKey, tables) => {
  await conn.query('DELETE FROM raw_rows WHERE run_key = ?', [runKey]);
  await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load'", [runKey]);
  await conn.query(
    `INSERT INTO raw_rows (run_key, source_file_id, line, cells) SELECT ?, source_file_id, line, cells FROM \`${tables.rows}\` ORDER BY source_file_id, line`,
    [runKey],
  );
};
