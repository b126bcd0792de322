import type { PoolConnection } from 'mysql2/promise';
import type { Contract, ParseOptions, Pipeline } from '../../config/pipeline.ts';
import { type BulkTarget, type LoadMethod, loadTsv } from '../../db/load-infile.ts';
import type { sourceFiles } from '../../db/schema/index.ts';
import { PermanentError } from '../errors.ts';
import { planRows, type RowLayout, type RowPlan } from './contracts/row-plan.ts';
import { CsvFormatError, CsvScanner, readTextChunks } from './read-csv.ts';
import { rejectHint } from './reject-hint.ts';
import { joinCells, lineSplitter } from './split-line.ts';

/** ~256 KiB of TSV per packet: per-row packets were measured 4x slower (bench:load). */
const CHUNK_CHARS = 256 * 1024;
/** A record longer than this is quarantined rather than buffered: memory stays flat on hostile input. */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;
const RAW_LIMIT = 64 * 1024;
const REJECT_BATCH = 1000;

export interface StagedFile {
  read: number;
  loaded: number;
  rejected: number;
  blankLines: number;
  header: string[];
  warnings: Map<string, number>;
  rejectsByReason: Map<string, number>;
}

export interface StageInput {
  conn: PoolConnection;
  /** A second connection: rejects are written while the first one is busy streaming. */
  rejectConn: PoolConnection;
  runKey: string;
  pipeline: Pipeline;
  /** What the pipeline's mode stages of each row. */
  rowLayout: RowLayout;
  file: typeof sourceFiles.$inferSelect;
  parse: ParseOptions;
  contract: Contract;
  isoDates: boolean;
  method: LoadMethod;
  /** Where the rows go (the mode's staging or raw table, see LoadPlan.target); the columns follow the file's header. */
  into: Omit<BulkTarget, 'columns'>;
  /** The run's staging table of rejects (the load publishes them with the rows). */
  rejects: string;
}

/**
 * Streams one collected file through its contract into its target table: rows that pass as TSV
 * into LOAD DATA (or prepared inserts), rows that fail into the staging rejects table with line,
 * column and reason. Block-level problems throw PermanentError naming file and column; the caller
 * rolls back its transaction (and drops the staging tables), so nothing is published. Memory stays flat: one chunk of text,
 * one chunk of TSV and at most one batch of rejects are held at a time.
 */
export async function stageFile(input: StageInput): Promise<StagedFile> {
  const { file, parse, contract } = input;
  const source = file.path;
  const text = readTextChunks(source, parse.encoding);
  let header: string[] | undefined = parse.header ? undefined : parse.columns;
  if (!parse.header && !header)
    throw new PermanentError(`source ${file.source}: header is false but no columns are declared`, {
      source,
    });
  let plan: RowPlan | undefined;
  let read = 0;
  let rejected = 0;
  let suspect = false;
  let out = '';
  let rejects: unknown[][] = [];
  const rejectsByReason = new Map<string, number>();
  /** The first few refused lines, quoted in the error of a load that fails for too many rejects. */
  const firstRejects: string[] = [];
  let failure: unknown;

  function makePlan(names: string[]): RowPlan {
    const made = planRows({
      rowLayout: input.rowLayout,
      file: source,
      header: names,
      contract,
      nullTokens: parse.nullTokens,
      dateFormats: parse.dateFormats,
      isoDates: input.isoDates,
      delimiter: parse.delimiter,
    });
    // Only plain delimited text takes the row layout's whole-line shortcut.
    const fast = splitter || parse.trim ? undefined : made.fast;
    if (fast) {
      scanner.fastLine = (line, n) => {
        const row = suspect ? undefined : fast(line, n);
        if (row === undefined) return false;
        read++;
        out += row;
        return true;
      };
    }
    return made;
  }
  function reject(line: number, column: string | null, reason: string, raw: string) {
    rejected++;
    const key = `${column ?? '(row)'}: ${reason.replace(/: ".*$/s, '')}`;
    rejectsByReason.set(key, (rejectsByReason.get(key) ?? 0) + 1);
    if (firstRejects.length < 3)
      firstRejects.push(`line ${line}${column ? ` column ${column}` : ''}: ${reason.slice(0, 80)}`);
    rejects.push([input.runKey, 'load', source, line, column, reason.slice(0, 500), raw.slice(0, RAW_LIMIT)]);
  }
  const splitter = lineSplitter(parse);
  const scanner = new CsvScanner(
    {
      delimiter: parse.delimiter,
      quote: splitter ? '' : parse.quote,
      maxRecordChars: MAX_RECORD_CHARS,
      split: splitter,
    },
    (cells, line) => {
      if (parse.trim) for (let i = 0; i < cells.length; i++) cells[i] = trimBlanks(cells[i]!);
      if (!plan) {
        header = cells.map((c) => c.trim());
        while (header.length > 1 && header[header.length - 1] === '') header.pop();
        plan = makePlan(header);
        return;
      }
      read++;
      const row = plan.encode(cells, line, suspect);
      if (typeof row === 'string') out += row;
      else reject(line, row.column, row.reason, joinCells(parse, cells));
    },
    (line, reason, raw) => {
      read++;
      reject(line, null, reason, raw);
    },
  );
  if (header) plan = makePlan(header);
  const flushRejects = async () => {
    if (rejects.length === 0) return;
    const batch = rejects;
    rejects = [];
    await input.rejectConn.query(
      `INSERT INTO \`${input.rejects}\` (run_key, step, source, line, column_name, reason, raw) VALUES ?`,
      [batch],
    );
  };

  // The LOAD DATA column list follows the file's header, so read up to the header first.
  const it = text.chunks[Symbol.asyncIterator]();
  let previousSuspect = false;
  const feed = (chunk: string) => {
    // Only chunks holding a NUL or an undecodable byte pay for the per-cell check.
    const now = chunk.includes('\0') || chunk.includes('\uFFFD');
    suspect = now || previousSuspect;
    previousSuspect = now;
    scanner.push(chunk);
  };
  let done = false;
  try {
    while (!plan && !done) {
      const next = await it.next();
      if (next.done) done = true;
      else feed(next.value);
    }
  } catch (err) {
    failure = err;
    done = true;
  }
  if (!plan && !failure)
    throw new PermanentError(`${source}: the file is empty (no header row)`, { source, line: 1 });

  async function* tsv(): AsyncGenerator<string> {
    try {
      while (!done) {
        if (out.length >= CHUNK_CHARS) {
          yield out;
          out = '';
        }
        if (rejects.length >= REJECT_BATCH) await flushRejects();
        const next = await it.next();
        if (next.done) break;
        feed(next.value);
      }
      if (!failure) scanner.end();
      if (out) yield out;
      out = '';
    } catch (err) {
      // Ending the stream cleanly and rethrowing after LOAD DATA returns is the one way to be sure
      // the error reaches the caller (and its cleanup) rather than a half-sent packet.
      failure = err;
    }
  }

  let loaded = 0;
  try {
    const columns = plan?.columns ?? ['line'];
    loaded = await loadTsv(
      input.conn,
      { ...input.into, columns },
      tsv(),
      input.method,
      () => read - rejected,
    );
  } catch (err) {
    if (!failure) throw err;
  }
  if (failure instanceof CsvFormatError) {
    const column = header?.[failure.columnIndex];
    throw new PermanentError(
      `${source}: line ${failure.line}${column ? `, column "${column}"` : ''}: ${failure.message}`,
      { source, line: failure.line, column, cause: failure },
    );
  }
  if (failure) throw failure;
  await flushRejects();
  if (!plan) throw new PermanentError(`${source}: the file is empty (no header row)`, { source, line: 1 });
  if (text.sha256() !== file.sha256) {
    throw new PermanentError(`${source} changed since collect (sha256 differs): start the run again`, {
      source,
    });
  }
  checkShares(input, read, rejected, rejectsByReason, firstRejects);
  return {
    read,
    loaded,
    rejected,
    blankLines: scanner.blankLines,
    header: header ?? [],
    warnings: (plan as RowPlan).warnings,
    rejectsByReason,
  };
}

/** Spaces and tabs only: a cell's other characters (NBSP, line separators) are data. */
function trimBlanks(cell: string): string {
  return cell.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** A load refused for too many rejects: its staged rejects are worth keeping (see keepFailedRejects). */
export class TooManyRejectsError extends PermanentError {
  override name = 'TooManyRejectsError';
}

function checkShares(
  input: StageInput,
  read: number,
  rejected: number,
  byReason: Map<string, number>,
  firstRejects: string[],
): void {
  const source = input.file.path;
  if (read < input.contract.minRows) {
    throw new PermanentError(
      `${source}: ${read} data rows, the contract expects at least ${input.contract.minRows} (an empty export?)`,
      { source, line: 2 },
    );
  }
  const share = input.contract.maxRejectShare ?? input.pipeline.maxRejectShare;
  if (read > 0 && rejected / read > share) {
    const [top, n] = [...byReason].sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
    const column = top.split(':')[0];
    const hint = rejectHint(byReason, input.parse.fixedWidths ? 'fixed' : input.parse.delimiter);
    const kept = Math.min(rejected, input.pipeline.load.keptRejects);
    throw new TooManyRejectsError(
      [
        `${source}: ${rejected} of ${read} rows rejected (more than ${share * 100}%); most often ${top} (${n} rows)`,
        hint,
        `first refused: ${firstRejects.join('; ')}`,
        kept > 0 ? `the first ${kept} refused lines are kept: cpd status ${input.runKey}` : '',
      ]
        .filter(Boolean)
        .join('. '),
      {
        source,
        column: column === '(row)' ? undefined : column,
      },
    );
  }
}
