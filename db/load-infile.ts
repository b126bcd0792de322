import { Readable } from 'node:stream';
import type { PoolConnection } from 'mysql2/promise';

/** Cells of one row as MySQL text; null becomes \N. */
export type Cell = string | number | null;

export type LoadMethod = 'infile' | 'insert';

/** Rows per prepared INSERT on the fallback path: ~1,000 measured fastest (0.33x of the CLI). */
const INSERT_ROWS = 1000;

/** Rows the server stored differently from what was sent: the same rows fail the same way again. */
export class LoadWarningsError extends Error {
  override name = 'LoadWarningsError';
}

/** The server refuses LOAD DATA LOCAL and the pipeline insists on it. */
export class LocalInfileOffError extends Error {
  override name = 'LocalInfileOffError';
}

export const LOCAL_INFILE_HINT =
  'local_infile is OFF on the MySQL server: run SET PERSIST local_infile = ON (or your managed service flag) for full load speed';

/**
 * Picks the bulk path: LOAD DATA LOCAL INFILE when the server allows it (MySQL 8 ships with
 * local_infile OFF), else prepared multi-row inserts, about 3x slower but needing no server change.
 */
export async function chooseLoadMethod(
  conn: PoolConnection,
  wanted: 'auto' | LoadMethod,
): Promise<{ method: LoadMethod; note?: string }> {
  if (wanted === 'insert') return { method: 'insert' };
  const [rows] = await conn.query('SELECT @@GLOBAL.local_infile AS enabled');
  const enabled = Number((rows as { enabled: number | string }[])[0]?.enabled) === 1;
  if (enabled) return { method: 'infile' };
  if (wanted === 'infile')
    throw new LocalInfileOffError(
      `${LOCAL_INFILE_HINT}, or set "load": { "method": "insert" } in the pipeline`,
    );
  return { method: 'insert', note: `${LOCAL_INFILE_HINT}; loading with prepared inserts meanwhile` };
}

/**
 * For a load of text this program wrote itself (valid UTF-8, valid JSON, both tested), on MariaDB:
 * the session skips the CHECK (json_valid(...)) MariaDB puts on every JSON column, and the text is
 * read as bytes (charset binary) instead of converted from utf8mb4 to utf8mb4; the server still
 * refuses a malformed sequence with a warning, which loadTsv turns into an error. A million score
 * rows of ~480 bytes with the CLI: 9.2-9.4 s → 7.2 s. MySQL 8 has no such variable (and would not
 * take a binary string as JSON): there nothing changes. `restore` puts the session back before the
 * connection returns to the pool.
 */
export async function trustedTextSession(
  conn: PoolConnection,
): Promise<{ charset: 'utf8mb4' | 'binary'; restore(): Promise<void> }> {
  try {
    await conn.query('SET SESSION check_constraint_checks = 0');
  } catch (err) {
    // ER_UNKNOWN_SYSTEM_VARIABLE: not MariaDB.
    if ((err as { errno?: number }).errno === 1193) return { charset: 'utf8mb4', restore: async () => {} };
    throw err;
  }
  return {
    charset: 'binary',
    // Never throws: after a load that failed with its connection (a packet too big closes it), an
    // error here would hide the load's own, and a dead session keeps no setting.
    restore: () =>
      conn.query('SET SESSION check_constraint_checks = 1').then(
        () => undefined,
        () => undefined,
      ),
  };
}

/** Escapes a cell for LOAD DATA's default format (tab-separated, backslash escapes). */
export function escapeCell(value: Cell): string {
  if (value === null) return '\\N';
  // A number's text never holds a character to escape.
  if (typeof value === 'number') return String(value);
  // A scan of char codes, not a regex: most cells are short and clean (millions per load).
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13 || c === 0)
      return value.replace(/[\\\t\n\r\0]/g, (ch) =>
        ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '\\0',
      );
  }
  return value;
}

export interface BulkTarget {
  table: string;
  /** Columns in TSV order. */
  columns: readonly string[];
  /** Columns set to the same value on every row (run key, source file id). */
  constants?: Record<string, string | number>;
  /**
   * Columns computed by MySQL from the row's stored columns, after them (amount = quantity × unit
   * price): LOAD DATA's SET clause, or the same expression in each row of the insert fallback.
   */
  derived?: Record<string, string>;
  /** How LOAD DATA reads the text: utf8mb4 (the default), or binary (see trustedTextSession). */
  charset?: 'utf8mb4' | 'binary';
}

/**
 * Streams tab-separated text (whole rows per chunk) into `target`. With LOCAL, bad values become
 * warnings instead of errors, so any warning or a row-count mismatch is an error here; callers load
 * inside a transaction they roll back on failure (or into a staging table they drop), so nothing
 * half-loaded is ever published.
 */
export async function loadTsv(
  conn: PoolConnection,
  target: BulkTarget,
  chunks: AsyncIterable<string | Buffer>,
  method: LoadMethod,
  expected: () => number,
): Promise<number> {
  const stored =
    method === 'infile' ? await viaInfile(conn, target, chunks) : await viaInserts(conn, target, chunks);
  if (stored.rows !== expected() || stored.warnings > 0) {
    const [warnings] = await conn.query('SHOW WARNINGS LIMIT 3');
    const first = (warnings as { Code: number; Message: string }[]).map((w) => `${w.Message} (${w.Code})`);
    throw new LoadWarningsError(
      `loading ${target.table}: ${stored.rows} rows stored of ${expected()} sent, ${stored.warnings} warnings${first.length ? `, first: ${first.join('; ')}` : ''}`,
    );
  }
  return stored.rows;
}

async function viaInfile(
  conn: PoolConnection,
  target: BulkTarget,
  chunks: AsyncIterable<string | Buffer>,
): Promise<{ rows: number; warnings: number }> {
  // `@name` entries are user variables: LOAD DATA reads the field and drops it.
  const cols = target.columns.map((c) => (c.startsWith('@') ? c : `\`${c}\``)).join(', ');
  const sets = [
    ...Object.entries(target.constants ?? {}).map(([k, v]) => conn.format(`\`${k}\` = ?`, [v])),
    ...Object.entries(target.derived ?? {}).map(([k, expr]) => `\`${k}\` = ${expr}`),
  ];
  const stream = Readable.from(chunks, { objectMode: false });
  try {
    const [result] = await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'cpd-stream' INTO TABLE \`${target.table}\` CHARACTER SET ${target.charset ?? 'utf8mb4'} (${cols})${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
      // The server names a file; we ignore it and send only our own stream (a hostile server cannot read other files).
      infileStreamFactory: () => stream,
    });
    const { affectedRows, warningStatus } = result as { affectedRows: number; warningStatus: number };
    return { rows: affectedRows, warnings: warningStatus };
  } catch (err) {
    const errno = (err as { errno?: number }).errno;
    if (errno === 3948 || errno === 1148 || errno === 4166)
      throw new LocalInfileOffError(LOCAL_INFILE_HINT, { cause: err });
    throw err;
  }
}

async function viaInserts(
  conn: PoolConnection,
  target: BulkTarget,
  chunks: AsyncIterable<string | Buffer>,
): Promise<{ rows: number; warnings: number }> {
  const constants = Object.entries(target.constants ?? {});
  const derived = Object.entries(target.derived ?? {});
  const kept = target.columns.map((c, i) => (c.startsWith('@') ? -1 : i)).filter((i) => i >= 0);
  const cols = [
    ...kept.map((i) => target.columns[i]!),
    ...constants.map(([k]) => k),
    ...derived.map(([k]) => k),
  ]
    .map((c) => `\`${c}\``)
    .join(', ');
  // A VALUES expression sees the columns set before it in the same row, as LOAD DATA's SET does.
  const tuple = `(${[...Array.from({ length: kept.length + constants.length }, () => '?'), ...derived.map(([, e]) => e)].join(', ')})`;
  let rows = 0;
  let warnings = 0;
  let batch: (string | number | null)[] = [];
  let inBatch = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    const [result] = await conn.execute(
      `INSERT INTO \`${target.table}\` (${cols}) VALUES ${Array.from({ length: inBatch }, () => tuple).join(', ')}`,
      batch,
    );
    rows += (result as { affectedRows: number }).affectedRows;
    warnings += (result as { warningStatus: number }).warningStatus;
    batch = [];
    inBatch = 0;
  };
  for await (const chunk of chunks) {
    // Pieces end at a line's end, so a byte piece decodes whole.
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const cells = line.split('\t');
      for (const i of kept) batch.push(unescapeTsv(cells[i] ?? ''));
      for (const [, v] of constants) batch.push(v);
      if (++inBatch === INSERT_ROWS) await flush();
    }
  }
  await flush();
  return { rows, warnings };
}

function unescapeTsv(cell: string): string | null {
  if (cell === '\\N') return null;
  if (!cell.includes('\\')) return cell;
  return cell.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '0' ? '\0' : c,
  );
}

/** The size of the pieces of LOAD DATA text sent at once: one packet per piece, not per row. */
export const TSV_PIECE_BYTES = 256 * 1024;

/** One row as a line of LOAD DATA text (cells escaped, tab-separated, newline-ended). */
export function tsvLine(row: readonly Cell[]): string {
  let line = row.length === 0 ? '' : escapeCell(row[0]!);
  for (let i = 1; i < row.length; i++) line += `\t${escapeCell(row[i]!)}`;
  return `${line}\n`;
}

/**
 * LOAD DATA text made from queries' streamed rows (`sources`, object-mode streams such as
 * mysql2's query().stream(), read one after the other), in ~256 KiB pieces: `onRow` handles each
 * row as it arrives and returns the text it adds (often none), `onEnd` the text after the last
 * row. The source being read is paused while pieces wait to be sent (a later one fills its own
 * buffer, then its connection waits), so memory stays a few pieces; a throw in either, or an error
 * of any source, fails the returned stream and stops every source. No promise per row: a
 * for-await over 10 M rows cost ~7 s of CPU and most of the garbage.
 */
export function textPieces<R>(
  sources: readonly Readable[],
  onRow: (row: R) => string,
  onEnd: () => string,
): Readable {
  let at = 0;
  const out = new Readable({ objectMode: true, highWaterMark: 4, read: () => void sources[at]?.resume() });
  let piece = '';
  const fail = (err: unknown): void => {
    for (const s of sources) s.destroy();
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  const read = (rows: Readable): void => {
    rows.on('data', (row: R) => {
      try {
        piece += onRow(row);
        if (piece.length >= TSV_PIECE_BYTES) {
          if (!out.push(piece)) rows.pause();
          piece = '';
        }
      } catch (err) {
        fail(err);
      }
    });
    rows.on('end', () => {
      if (++at < sources.length) return read(sources[at]!);
      try {
        piece += onEnd();
        if (piece) out.push(piece);
        out.push(null);
      } catch (err) {
        fail(err);
      }
    });
  };
  for (const s of sources) s.on('error', fail);
  if (sources.length === 0) fail(new Error('textPieces: no source to read'));
  else read(sources[0]!);
  return out;
}

/** Turns rows into tab-separated text in ~256 KiB chunks: one packet per chunk, not per row. */
export async function* encodeRows(rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): AsyncGenerator<string> {
  let buf = '';
  for await (const row of rows) {
    buf += tsvLine(row);
    if (buf.length >= TSV_PIECE_BYTES) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** Rows (arrays of cells) into `table` with LOAD DATA LOCAL INFILE; see loadTsv for the checks. */
export function loadInfile(
  conn: PoolConnection,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>,
  counted: () => number,
): Promise<number> {
  return loadTsv(conn, { table, columns }, encodeRows(rows), 'infile', counted);
}
