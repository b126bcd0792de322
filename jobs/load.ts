import { eq } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import type { Pipeline } from '../config/pipeline.ts';
import { loadInfile, type Cell } from '../db/load-infile.ts';
import { sourceFiles } from '../db/schema/index.ts';
import { defineStep } from './define-step.ts';
import { PermanentError } from './errors.ts';
import { readCsv } from './read-csv.ts';
import { insertRejects, type Reject } from './rejects.ts';

/** Columns the pipeline names explicitly: a file without one of them cannot be used. */
export function requiredColumns(pipeline: Pipeline): string[] {
  if (pipeline.mode === 'transactions') {
    const { timestampFormat: _format, ...mapped } = pipeline.columns;
    return Object.values(mapped).filter((v): v is string => typeof v === 'string');
  }
  const c = pipeline.columns;
  return [c.label.column, ...(c.id ? [c.id] : []), ...c.categorical, ...c.boolean];
}

/**
 * load: streams every collected file into raw_rows with LOAD DATA LOCAL INFILE, inside one
 * transaction: a rerun replaces the run's rows, a failure leaves none. Rows with the wrong number
 * of cells are quarantined in rejected_rows with their line; loaded + rejected = read.
 */
export const load = defineStep({
  name: 'load',
  jobName: 'pipeline.load-raw',
  async handler({ run, db, pool, log, progress }) {
    const files = await db.select().from(sourceFiles).where(eq(sourceFiles.runKey, run.runKey)).orderBy(sourceFiles.id);
    if (files.length === 0) throw new PermanentError(`no collected files for ${run.runKey}: run collect first`);
    const conn = await pool.getConnection();
    let read = 0;
    let loaded = 0;
    const rejects: Reject[] = [];
    const perFile: { path: string; rows: number; header: string[] }[] = [];
    try {
      await conn.beginTransaction();
      await conn.query('DELETE FROM raw_rows WHERE run_key = ?', [run.runKey]);
      await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'load'", [run.runKey]);
      for (const [i, file] of files.entries()) {
        const result = await loadFile(conn, run.runKey, run.pipeline, file, rejects);
        read += result.read;
        loaded += result.loaded;
        perFile.push({ path: file.path, rows: result.read, header: result.header });
        log.info({ file: file.path, read: result.read, loaded: result.loaded }, 'file loaded');
        await progress(Math.round(((i + 1) / files.length) * 100));
      }
      if (read > 0 && rejects.length / read > run.pipeline.maxRejectShare) {
        const first = rejects[0];
        throw new PermanentError(
          `${rejects.length} of ${read} rows rejected (more than ${run.pipeline.maxRejectShare * 100}%); first: ${first?.source} line ${first?.line}: ${first?.reason}`,
          { source: first?.source, line: first?.line ?? undefined },
        );
      }
      await insertRejects(conn, run.runKey, 'load', rejects);
      for (const [i, f] of perFile.entries()) {
        await conn.query('UPDATE source_files SET `rows` = ?, header = ? WHERE id = ?', [f.rows, JSON.stringify(f.header), files[i]!.id]);
      }
      await conn.commit();
    } catch (err) {
      await conn.rollback();
      throw err;
    } finally {
      conn.release();
    }
    return { rowsIn: read, rowsOut: loaded, rowsRejected: rejects.length, details: { files: perFile.map(({ path, rows }) => ({ path, rows })) } };
  },
});

async function loadFile(
  conn: PoolConnection,
  runKey: string,
  pipeline: Pipeline,
  file: typeof sourceFiles.$inferSelect,
  rejects: Reject[],
): Promise<{ read: number; loaded: number; header: string[] }> {
  const source = pipeline.sources.find((s, i) => (s.name ?? `source-${i + 1}`) === file.source);
  const parseOpts = source && source.kind !== 'sql' ? source.parse : undefined;
  if (!parseOpts) throw new PermanentError(`source ${file.source} is not in the pipeline any more`);
  const csv = readCsv(file.path, parseOpts);
  const it = csv.records[Symbol.asyncIterator]();
  let header = parseOpts.columns;
  if (parseOpts.header) {
    const first = await it.next();
    if (first.done) throw new PermanentError(`${file.path}: the file is empty (no header row)`, { source: file.path, line: 1 });
    header = first.value.cells.map((c) => c.trim());
  }
  if (!header) throw new PermanentError(`source ${file.source}: header is false but no columns are declared`, { source: file.path });
  checkHeader(file.path, header, pipeline);
  const width = header.length;
  let read = 0;
  let failure: unknown;
  async function* rows(): AsyncGenerator<Cell[]> {
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) {
        const rec = next.value;
        read++;
        if (rec.cells.length !== width) {
          rejects.push({
            source: file.path,
            line: rec.line,
            column: null,
            reason: `expected ${width} cells, found ${rec.cells.length}`,
            raw: rec.cells.join(parseOpts!.delimiter),
          });
          continue;
        }
        yield [runKey, file.id, rec.line, JSON.stringify(rec.cells)];
      }
    } catch (err) {
      // Ending the stream cleanly and rethrowing after LOAD DATA returns is the one way to be sure
      // the error reaches the caller (and its rollback) rather than a half-sent packet.
      failure = err;
    }
  }
  const before = rejects.length;
  const loaded = await loadInfile(conn, 'raw_rows', ['run_key', 'source_file_id', 'line', 'cells'], rows(), () => read - (rejects.length - before));
  if (failure) throw failure;
  if (csv.sha256() !== file.sha256) {
    throw new PermanentError(`${file.path} changed since collect (sha256 differs): start the run again`, { source: file.path });
  }
  return { read, loaded, header };
}

function checkHeader(file: string, header: string[], pipeline: Pipeline): void {
  for (const col of requiredColumns(pipeline)) {
    if (!header.includes(col)) {
      throw new PermanentError(`${file}: column "${col}" is missing from the header (found: ${header.join(', ')})`, {
        source: file,
        line: 1,
        column: col,
      });
    }
  }
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new PermanentError(`${file}: column "${dup}" appears twice in the header`, { source: file, line: 1, column: dup });
}
