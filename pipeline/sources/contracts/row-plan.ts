import type { Contract } from '../../../config/pipeline.ts';
import { PermanentError } from '../../errors.ts';
import { type CellCheck, CellFailure, quote, ruleCheck, type Target } from './column-check.ts';

export interface RowReject {
  column: string | null;
  reason: string;
}

/**
 * What one file's rows become: TSV lines for the staging table, or a rejection naming the column.
 * `encode` runs once per row on the hot path, so it does one pass over the mapped cells, builds
 * one string and allocates nothing else on the happy path.
 */
export interface RowPlan {
  width: number;
  /** LOAD DATA column list in TSV order (`@skip` for source columns nobody reads). */
  columns: readonly string[];
  encode(cells: string[], line: number, suspect: boolean): string | RowReject;
  /**
   * The whole line as one TSV row when a single compiled regex proves every cell already valid and
   * in MySQL's own format (the common case); undefined sends the line through `encode`.
   */
  fast: ((text: string, line: number) => string | undefined) | undefined;
  /** Loaded rows that broke a warn-severity rule, by `column: reason`. */
  warnings: Map<string, number>;
}

/** One source column the staging row is built from. */
export interface PlannedColumn {
  index: number;
  name: string;
  required: boolean;
  check: CellCheck;
  rule: ((cell: string) => CellFailure | undefined) | undefined;
  /** Text columns get TSV escaping and the spreadsheet-formula warning; typed ones are already clean. */
  text: boolean;
  target: Target;
  staging: string;
}

export interface PlanInput {
  /** What this pipeline's mode makes of a header: see RowLayout. */
  rowLayout: RowLayout;
  file: string;
  header: string[];
  contract: Contract;
  nullTokens: string[];
  dateFormats: Record<string, string>;
  /** SQL sources are landed with ISO timestamps whatever the pipeline declares for files. */
  isoDates: boolean;
  delimiter: string;
}

/** What a row layout gets to plan with: the input, plus the header lookups that block a file on a missing column. */
export interface LayoutInput extends Omit<PlanInput, 'rowLayout'> {
  /** The header position of a column the row layout needs; a missing one blocks the file. */
  need(name: string): number;
  /** The contract's rule for a column, compiled (undefined: no rule). */
  ruleFor(name: string): PlannedColumn['rule'];
}

/** The staging row shape a mode's row layout chose for one header. */
export interface PlannedRows {
  /** By source column position; undefined: not staged. */
  planned: (PlannedColumn | undefined)[];
  /** LOAD DATA column list in TSV order. */
  columns: readonly string[];
  /** true: a staged row is the line number and every cell as one JSON array; false: one TSV column per planned column. */
  json: boolean;
  fast: RowPlan['fast'];
  /** A check across the row's cells once every cell passed (undefined: none). */
  checkRow: ((cells: string[]) => RowReject | undefined) | undefined;
}

/** The part of a row plan that differs between pipeline modes: which staging columns a header becomes. */
export type RowLayout = (input: LayoutInput) => PlannedRows;

/** A one-cell header holding blanks between words: the file is split by another separator. */
function headerHint(header: string[]): string {
  if (header.length !== 1 || !/\S[ \t]+\S/.test(header[0] ?? '')) return '';
  return header[0]!.includes('\t') && !/ {2}/.test(header[0]!)
    ? '; the header is one cell with tabs in it: try parse.delimiter: "\\t"'
    : '; the header is one cell with blanks in it: is the separator whitespace? try parse.delimiter: "whitespace"';
}

export function planRows(input: PlanInput): RowPlan {
  const { file, header, contract } = input;
  const block = (column: string, message: string) =>
    new PermanentError(`${file}: ${message}`, { source: file, line: 1, column });
  const where = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (where.has(h)) throw block(h, `column ${quote(h)} appears twice in the header`);
    where.set(h, i);
  }
  const need = (name: string): number => {
    const i = where.get(name);
    if (i === undefined)
      throw block(
        name,
        `column "${name}" is missing from the header (found: ${quote(header.join(', '), 80)})${headerHint(header)}`,
      );
    return i;
  };
  for (const [name, rule] of Object.entries(contract.columns)) if (rule.required) need(name);
  const ruleFor = (name: string) => {
    const rule = contract.columns[name];
    return rule ? ruleCheck(rule, input.dateFormats[name]) : undefined;
  };
  const nulls = new Set(input.nullTokens);
  const warnings = new Map<string, number>();
  const warn = (key: string) => warnings.set(key, (warnings.get(key) ?? 0) + 1);
  const { rowLayout, ...rest } = input;
  const { planned, columns, json, fast, checkRow } = rowLayout({ ...rest, need, ruleFor });
  const width = header.length;

  function encode(cells: string[], line: number, suspect: boolean): string | RowReject {
    if (cells.length !== width) {
      if (cells.length === width + 1 && cells[width] === '') warn('(row): trailing delimiter');
      else return { column: null, reason: `expected ${width} cells, found ${cells.length}` };
    }
    if (suspect) {
      for (const [i, cell] of cells.entries()) {
        if (cell.includes('\0')) return { column: header[i] ?? null, reason: 'NUL byte in the value' };
        if (cell.includes('\uFFFD'))
          return {
            column: header[i] ?? null,
            reason: 'bytes that are not UTF-8 (is the file latin1? set parse.encoding)',
          };
      }
    }
    let out = String(line);
    for (const col of planned) {
      if (col === undefined) {
        if (!json) out += '\t';
        continue;
      }
      const cell = cells[col.index]!;
      if (cell.length === 0 || nulls.has(cell) || (isPadded(cell) && nulls.has(cell.trim()))) {
        if (col.required) return { column: col.name, reason: 'required value is empty' };
        if (!json) out += '\t\\N';
        continue;
      }
      if (col.rule) {
        const failure = col.rule(cell);
        if (failure?.severity === 'reject') return { column: col.name, reason: failure.reason };
        if (failure) warn(`${col.name}: ${failure.reason.replace(/:.*$/, '')}`);
      }
      const value = col.check(cell);
      if (value instanceof CellFailure) return { column: col.name, reason: value.reason };
      if (col.text) {
        const first = value.charCodeAt(0);
        if (first === 61 || first === 64 || first === 43)
          warn(`${col.name}: starts like a spreadsheet formula`);
        if (!json) out += `\t${escapeTsv(value)}`;
      } else {
        out += `\t${value}`;
      }
    }
    const rowFailure = checkRow?.(cells);
    if (rowFailure) return rowFailure;
    if (json) {
      const text = JSON.stringify(cells.length > width ? cells.slice(0, width) : cells);
      out += `\t${text.includes('\\') ? text.replaceAll('\\', '\\\\') : text}`;
    }
    return `${out}\n`;
  }
  return { width, columns, encode, fast, warnings };
}

function isPadded(cell: string): boolean {
  return cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32;
}

const TSV_SPECIAL = /[\\\t\n\r]/;

/** LOAD DATA's default format: backslash escapes for the four characters it treats specially. */
export function escapeTsv(s: string): string {
  if (!TSV_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
