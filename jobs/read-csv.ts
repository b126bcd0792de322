import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import type { ParseOptions } from '../config/pipeline.ts';
import { PermanentError } from './errors.ts';

export interface CsvRecord {
  /** 1-based line number in the file where the record starts. */
  line: number;
  cells: string[];
}

/**
 * Streams a CSV (optionally gzipped) as records while hashing its raw bytes; `sha256()` is valid
 * once iteration ends. Parse errors become PermanentErrors naming the file and line.
 */
export function readCsv(file: string, opts: ParseOptions): { records: AsyncIterable<CsvRecord>; sha256(): string } {
  const hash = createHash('sha256');
  let digest = '';
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      digest = hash.digest('hex');
      cb();
    },
  });
  const parser = parse({
    delimiter: opts.delimiter,
    quote: opts.quote || null,
    bom: true,
    encoding: opts.encoding,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  });
  const raw = createReadStream(file);
  let input = raw.pipe(hasher);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip()) as unknown as Transform;
  input.on('error', (err) => parser.destroy(err));
  raw.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  async function* records(): AsyncGenerator<CsvRecord> {
    try {
      for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number; records: number } }>) {
        // info.lines is the line where the record ends; multi-line quoted fields start earlier.
        const newlines = rec.record.reduce((n, c) => n + countNewlines(c), 0);
        yield { line: rec.info.lines - newlines, cells: rec.record };
      }
    } catch (err) {
      if (err instanceof CsvError) {
        const line = (err as CsvError & { lines?: number }).lines;
        throw new PermanentError(`${file}: line ${line ?? '?'}: ${err.message}`, { source: file, line, cause: err });
      }
      throw new PermanentError(`${file}: cannot read: ${(err as Error).message}`, { source: file, cause: err });
    }
  }
  return { records: records(), sha256: () => digest };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
