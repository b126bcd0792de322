import type { ColumnRule } from '../../../config/pipeline.ts';
import { compileDateFormat } from './date-format.ts';

/** Why a cell failed; `warn` failures keep the row and are only counted. */
export class CellFailure {
  constructor(
    readonly reason: string,
    readonly severity: 'reject' | 'warn',
  ) {}
}

/** How a typed target column stores a value: MySQL would silently truncate or zero anything else. */
export type Target =
  | { kind: 'string'; maxLength: number }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'date'; format: string }
  | { kind: 'text' };

/** Returns the value as MySQL text, or why it cannot be stored / breaks the contract. */
export type CellCheck = (cell: string) => string | CellFailure;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Short, bounded, escaped quote of a bad value for reasons (the full raw line is kept separately). */
export function quote(cell: string, max = 40): string {
  return JSON.stringify(cell.length > max ? `${cell.slice(0, max)}…` : cell);
}

/** A finite number in plain or exponent form; NaN, Infinity, 1e309 and `1,234` are not numbers. */
export function numberReason(cell: string): string | undefined {
  const s = cell.trim();
  if (!NUMBER.test(s))
    return /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)
      ? `not a number (thousands separator?): ${quote(cell)}`
      : `not a number: ${quote(cell)}`;
  if (!Number.isFinite(Number(s))) return `number out of range: ${quote(cell)}`;
  return undefined;
}

/** The storage check for a target column: a failure always rejects the row. */
export function targetCheck(target: Target): CellCheck {
  switch (target.kind) {
    case 'text':
      return (cell) => cell;
    case 'string':
      return (cell) =>
        cell.length <= target.maxLength
          ? cell
          : new CellFailure(`longer than ${target.maxLength} characters (${cell.length})`, 'reject');
    case 'decimal': {
      const int = target.precision - target.scale;
      const plain = new RegExp(`^-?\\d{1,${int}}(\\.\\d{1,${target.scale}})?$`);
      const limit = 10 ** int;
      return (cell) => {
        if (plain.test(cell)) return cell;
        const why = numberReason(cell);
        if (why) return new CellFailure(why, 'reject');
        const n = Number(cell.trim());
        if (Math.abs(n) >= limit)
          return new CellFailure(
            `number out of range for DECIMAL(${target.precision},${target.scale}): ${quote(cell)}`,
            'reject',
          );
        // More decimals than the column keeps (or exponent form): round here, as MySQL would, but without a warning.
        return n.toFixed(target.scale);
      };
    }
    case 'date': {
      const read = compileDateFormat(target.format);
      return (cell) =>
        read(cell) ?? new CellFailure(`not a date in format ${target.format}: ${quote(cell)}`, 'reject');
    }
  }
}

/** The contract's own checks on a column (type, range, pattern, length, allowed values). */
export function ruleCheck(
  rule: ColumnRule,
  defaultDateFormat: string | undefined,
): ((cell: string) => CellFailure | undefined) | undefined {
  const checks: ((cell: string) => string | undefined)[] = [];
  if (rule.type === 'number' || rule.type === 'integer') {
    checks.push(
      (c) =>
        numberReason(c) ??
        (rule.type === 'integer' && !Number.isInteger(Number(c.trim()))
          ? `not an integer: ${quote(c)}`
          : undefined),
    );
  }
  if (rule.type === 'date') {
    const format = rule.format ?? defaultDateFormat ?? 'YYYY-MM-DD';
    const read = compileDateFormat(format);
    checks.push((c) => (read(c) === undefined ? `not a date in format ${format}: ${quote(c)}` : undefined));
  }
  if (rule.type === 'boolean')
    checks.push((c) =>
      /^(true|false|0|1|yes|no)$/i.test(c.trim()) ? undefined : `not a boolean: ${quote(c)}`,
    );
  if (rule.min !== undefined || rule.max !== undefined) {
    const { min = -Infinity, max = Infinity } = rule;
    checks.push((c) => {
      const n = Number(c.trim());
      return Number.isNaN(n) || n < min || n > max
        ? `outside [${rule.min ?? '-∞'}, ${rule.max ?? '∞'}]: ${quote(c)}`
        : undefined;
    });
  }
  if (rule.pattern !== undefined) {
    const re = new RegExp(`^(?:${rule.pattern})$`);
    checks.push((c) => (re.test(c) ? undefined : `does not match /${rule.pattern}/: ${quote(c)}`));
  }
  if (rule.maxLength !== undefined)
    checks.push((c) =>
      c.length > rule.maxLength! ? `longer than ${rule.maxLength} characters (${c.length})` : undefined,
    );
  if (rule.values !== undefined) {
    const allowed = new Set(rule.values);
    checks.push((c) =>
      allowed.has(c) ? undefined : `not one of ${rule.values!.slice(0, 5).join(', ')}: ${quote(c)}`,
    );
  }
  if (checks.length === 0) return undefined;
  return (cell) => {
    for (const check of checks) {
      const why = check(cell);
      if (why !== undefined) return new CellFailure(why, rule.severity);
    }
    return undefined;
  };
}
