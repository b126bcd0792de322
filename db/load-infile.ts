import { Readable } from 'node:stream';
import type { PoolConnection } from 'mysql2/promise';

/** Cells of one row as MySQL text; null becomes \N. */
export type Cell = string | number | null;

const CHUNK_BYTES = 256 * 1024;

/** Escapes a cell for LOAD DATA's default format (tab-separated, backslash escapes). */
export function escapeCell(value: Cell): string {
  if (value === null) return '\\N';
  const s = typeof value === 'number' ? String(value) : value;
  // Only the characters LOAD DATA treats specially are escaped; plain cells pass through untouched.
  return /[\\\t\n\r\0]/.test(s)
    ? s.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'))
    : s;
}

/** Turns rows into tab-separated text in ~256 KiB chunks: one packet per chunk, not per row. */
export function encodeRows(rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let buf = '';
    for await (const row of rows) {
      buf += row.map(escapeCell).join('\t') + '\n';
      if (buf.length >= CHUNK_BYTES) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  return Readable.from(chunks(), { objectMode: false });
}

export class LoadWarningsError extends Error {
  override name = 'LoadWarningsError';
}

/**
 * Streams rows into `table` with LOAD DATA LOCAL INFILE on the given connection.
 * With LOCAL, bad values become warnings instead of errors, so any warning or a row-count
 * mismatch is an error here: the caller's transaction rolls back and nothing half-loaded stays.
 */
export async function loadInfile(
  conn: PoolConnection,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>,
  counted: () => number,
): Promise<number> {
  const stream = encodeRows(rows);
  const cols = columns.map((c) => `\`${c}\``).join(', ');
  const [result] = await conn.query({
    sql: `LOAD DATA LOCAL INFILE 'cpd-stream' INTO TABLE \`${table}\` CHARACTER SET utf8mb4 (${cols})`,
    // The server names a file; we ignore it and send only our own stream (a hostile server cannot read other files).
    infileStreamFactory: () => stream,
  });
  const { affectedRows, warningStatus } = result as { affectedRows: number; warningStatus: number };
  const expected = counted();
  if (warningStatus > 0 || affectedRows !== expected) {
    const [warnings] = await conn.query('SHOW WARNINGS LIMIT 5');
    throw new LoadWarningsError(
      `LOAD DATA into ${table}: ${affectedRows} rows stored of ${expected} sent, ${warningStatus} warnings: ${JSON.stringify(warnings)}`,
    );
  }
  return affectedRows;
}
