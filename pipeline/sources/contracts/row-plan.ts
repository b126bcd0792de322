import type { Contract, Pipeline } from '../../../config/pipeline.ts';
import { PermanentError } from '../../errors.ts';
import { CellFailure, ruleCheck, targetCheck, type CellCheck, type Target } from './column-check.ts';

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

interface PlannedColumn {
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
  pipeline: Pipeline;
  file: string;
  header: string[];
  contract: Contract;
  nullTokens: string[];
  dateFormats: Record<string, string>;
  /** SQL sources are landed with ISO timestamps whatever the pipeline declares for files. */
  isoDates: boolean;
  delimiter: string;
}

export const labeledStagingColumns = ['line', 'cells'] as const;

export function planRows(input: PlanInput): RowPlan {
  const { pipeline, file, header, contract } = input;
  const block = (column: string, message: string) => new PermanentError(`${file}: ${message}`, { source: file, line: 1, column });
  const where = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (where.has(h)) throw block(h, `column "${h}" appears twice in the header`);
    where.set(h, i);
  }
  const need = (name: string): number => {
    const i = where.get(name);
    if (i === undefined) throw block(name, `column "${name}" is missing from the header (found: ${header.join(', ').slice(0, 300)})`);
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

  let planned: (PlannedColumn | undefined)[];
  let columns: readonly string[];
  let json = false;
  let fast: RowPlan['fast'];
  if (pipeline.mode === 'transactions') {
    const c = pipeline.columns;
    const format = input.isoDates ? 'YYYY-MM-DD HH:mm:ss' : (input.dateFormats[c.timestamp] ?? c.timestampFormat);
    const map: [string | undefined, Target, boolean, string][] = [
      [c.invoice, { kind: 'string', maxLength: 64 }, false, 'invoice'],
      [c.product, { kind: 'string', maxLength: 64 }, false, 'product_code'],
      [c.description, { kind: 'string', maxLength: 255 }, false, 'description'],
      [c.quantity, { kind: 'decimal', precision: 14, scale: 3 }, c.amount === undefined, 'quantity'],
      [c.timestamp, { kind: 'date', format }, true, 'invoiced_at'],
      [c.unitPrice, { kind: 'decimal', precision: 14, scale: 4 }, c.amount === undefined, 'unit_price'],
      [c.amount, { kind: 'decimal', precision: 16, scale: 4 }, true, 'amount'],
      [c.customerId, { kind: 'string', maxLength: 64 }, false, 'customer_id'],
      [c.country, { kind: 'string', maxLength: 64 }, false, 'country'],
    ];
    // Output follows the source's column order, so a valid line can go to MySQL nearly as it is.
    planned = header.map(() => undefined);
    for (const [name, target, required, staging] of map) {
      if (name === undefined) continue;
      const index = need(name);
      planned[index] = { index, name, required: required || contract.columns[name]?.required === true, check: targetCheck(target), rule: ruleFor(name), text: target.kind === 'string', target, staging };
    }
    columns = ['line', ...planned.map((p) => p?.staging ?? '@skip')];
    const re = fastLineRegex(planned, contract, input.nullTokens, input.delimiter, c.amount === undefined);
    if (re) {
      const tab = input.delimiter === '\t';
      fast = (text, line) => (re.test(text) ? `${line}\t${tab ? text : text.replaceAll(input.delimiter, '\t')}\n` : undefined);
    }
  } else {
    planned = header.map((name, index) => {
      const target: Target = { kind: 'text' };
      return { index, name, required: contract.columns[name]?.required === true, check: targetCheck(target), rule: ruleFor(name), text: true, target, staging: '' };
    });
    if (pipeline.columns.label.column) need(pipeline.columns.label.column);
    columns = labeledStagingColumns;
    json = true;
  }
  const width = header.length;
  // Without an amount column, publish computes quantity × unit price: refuse products DECIMAL(16,4) cannot hold.
  const product =
    pipeline.mode === 'transactions' && pipeline.columns.amount === undefined
      ? [planned.find((p) => p?.staging === 'quantity'), planned.find((p) => p?.staging === 'unit_price')]
      : undefined;

  function encode(cells: string[], line: number, suspect: boolean): string | RowReject {
    if (cells.length !== width) {
      if (cells.length === width + 1 && cells[width] === '') warn('(row): trailing delimiter');
      else return { column: null, reason: `expected ${width} cells, found ${cells.length}` };
    }
    if (suspect) {
      for (const [i, cell] of cells.entries()) {
        if (cell.includes('\0')) return { column: header[i] ?? null, reason: 'NUL byte in the value' };
        if (cell.includes('\uFFFD')) return { column: header[i] ?? null, reason: 'bytes that are not UTF-8 (is the file latin1? set parse.encoding)' };
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
        if (first === 61 || first === 64 || first === 43) warn(`${col.name}: starts like a spreadsheet formula`);
        if (!json) out += `\t${escapeTsv(value)}`;
      } else {
        out += `\t${value}`;
      }
    }
    if (product && Math.abs(Number(cells[product[0]!.index]) * Number(cells[product[1]!.index])) >= 1e12) {
      return { column: product[1]!.name, reason: 'quantity × unit price out of range for DECIMAL(16,4)' };
    }
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
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Month-day pairs that exist in every year (29 February takes the slow path). */
const MONTH_DAY = '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
const ISO_DATETIME = `[1-9]\\d{3}-${MONTH_DAY} (?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d`;

/**
 * One regex over a whole unquoted line that accepts only rows the slow path would store unchanged:
 * plain decimals within range, ISO timestamps that exist, non-null strings within length without
 * TSV specials or a spreadsheet-formula start. Anything else (or a rule it cannot express) fails it,
 * and the line takes the slow path, which is the reference behaviour.
 */
function fastLineRegex(planned: (PlannedColumn | undefined)[], contract: Contract, nullTokens: string[], delimiter: string, computedAmount: boolean): RegExp | undefined {
  const d = delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const plain = `[^${d}\\t\\\\]`;
  const notNull = `(?![ ]*(?:${nullTokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})[ ]*(?:${d}|$))`;
  const parts: string[] = [];
  for (const col of planned) {
    if (col === undefined) {
      parts.push(`${plain}*`);
      continue;
    }
    const rule = contract.columns[col.name];
    // min ≤ 0 holds for any number written without a sign; other ranges need the slow path.
    if (rule && ((rule.min !== undefined && rule.min > 0) || rule.max !== undefined || rule.values || rule.type === 'date' || rule.type === 'boolean')) return undefined;
    const sign = rule?.min !== undefined ? '' : '-?';
    if (rule && (rule.type === 'number' || rule.type === 'integer') && col.target.kind !== 'decimal') return undefined;
    const guard = rule?.pattern ? `(?=(?:${rule.pattern})(?:${d}|$))` : '';
    const t = col.target;
    if (t.kind === 'decimal') {
      // With a computed amount, small operands guarantee quantity × price fits DECIMAL(16,4).
      const int = computedAmount && (col.staging === 'quantity' || col.staging === 'unit_price') ? Math.min(t.precision - t.scale, 6 - (col.staging === 'unit_price' ? 1 : 0)) : t.precision - t.scale;
      parts.push(`${guard}${sign}\\d{1,${int}}${rule?.type === 'integer' ? '' : `(?:\\.\\d{1,${t.scale}})?`}`);
    } else if (t.kind === 'date') {
      if (t.format !== 'YYYY-MM-DD HH:mm:ss') return undefined;
      parts.push(ISO_DATETIME);
    } else if (t.kind === 'string') {
      const max = Math.min(t.maxLength, rule?.maxLength ?? Infinity);
      parts.push(`${guard}${notNull}(?![=@+])${plain}{1,${max}}`);
    } else return undefined;
  }
  return new RegExp(`^${parts.join(d)}$`);
}
