import path from 'node:path';
import mysql from 'mysql2';
import type { Source } from '../../config/pipeline.ts';
import { connectionOptions } from '../../db/client.ts';
import { PermanentError } from '../errors.ts';
import type { Collected } from './collected.ts';
import { landFile } from './land-file.ts';

type SqlSource = Extract<Source, { kind: 'sql' }>;

/** Errors of the query itself (missing table or column, syntax, access): retrying cannot fix them. */
const PERMANENT_ERRNOS = new Set([1044, 1045, 1049, 1054, 1064, 1142, 1143, 1146]);

/** How a landed query result is written: load reads it back with exactly these options. */
export const SQL_LANDED_PARSE = {
  delimiter: ',',
  quote: '"',
  header: true,
  encoding: 'utf8',
  trim: false,
  nullTokens: ['\\N'],
  dateFormats: {},
} as const;

/**
 * Streams a query's result from another MySQL database (a shop's operational database) into a
 * landed CSV, row by row: memory stays flat whatever the result size. Dates come as the server's
 * text (`YYYY-MM-DD HH:MM:SS`), NULL as \N. The URL comes from the environment, never the file.
 */
export async function collectSql(
  source: SqlSource,
  name: string,
  dir: string,
  secrets: Record<string, string>,
): Promise<Collected> {
  const url = secrets[source.urlEnv];
  if (!url)
    throw new PermanentError(`source ${name}: environment variable ${source.urlEnv} (urlEnv) is not set`, {
      source: `sql:${name}`,
    });
  const file = path.join(dir, `${name}.csv`);
  // The callback connection: its query().stream() reads rows as they arrive, with backpressure.
  const conn = mysql.createConnection({
    ...connectionOptions(url),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  // A dropped connection also surfaces through the query stream; recorded here so the event cannot crash the worker.
  let lost: unknown;
  conn.on('error', (err) => {
    lost = err;
  });
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    const query = conn.query({ sql: source.query, rowsAsArray: true });
    // The error also reaches the row stream below; this listener keeps it from being unhandled.
    query.on('error', (err: Error) => {
      lost ??= err;
    });
    let header: string | undefined;
    query.on('fields', (fields: { name: string }[]) => {
      header = `${fields.map((f) => csvCell(f.name)).join(',')}\n`;
    });
    const stream = query.stream({ highWaterMark: 1000 });
    // An error can arrive before the file is open and the loop below listens (a missing table
    // answers at once): without this listener the stream's 'error' would be uncaught.
    stream.on('error', (err: Error) => {
      lost ??= err;
    });
    const rows = stream as unknown as AsyncIterable<unknown[]>;
    async function* body(): AsyncGenerator<string> {
      let buf = '';
      for await (const row of rows) {
        if (header) {
          buf += header;
          header = undefined;
        }
        buf += `${row.map(sqlCell).join(',')}\n`;
        if (buf.length >= 256 * 1024) {
          yield buf;
          buf = '';
        }
      }
      if (header) buf += header;
      if (buf) yield buf;
    }
    const landed = await landFile(file, body());
    // A stream destroyed by an error may end the loop quietly: never land a partial result.
    if (lost) throw lost;
    return { source: name, kind: 'sql', origin: `sql:${name}`, path: file, ...landed, modifiedAt: null };
  } catch (err) {
    throw mapError(lost ?? err, name);
  } finally {
    conn.destroy();
  }
}

function mapError(err: unknown, name: string): Error {
  const e = err as { errno?: number; message?: string };
  const message = `source ${name}: the query failed: ${e.message ?? String(err)}`;
  if (e.errno !== undefined && PERMANENT_ERRNOS.has(e.errno))
    return new PermanentError(message, { source: `sql:${name}`, cause: err });
  return new Error(message, { cause: err });
}

function sqlCell(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (Buffer.isBuffer(v)) return csvCell(v.toString('utf8'));
  return csvCell(String(v));
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) || s === '\\N' ? `"${s.replaceAll('"', '""')}"` : s;
}
