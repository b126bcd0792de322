import type { Contract, TransactionsPipeline } from '../../../config/pipeline.ts';
import { type Target, targetCheck } from './column-check.ts';
import type { PlannedColumn, RowLayout } from './row-plan.ts';

/**
 * Transactions mode: the purchase fields the pipeline maps become typed columns of raw_transactions'
 * staging table, in the source's column order (a valid line goes to MySQL nearly as it is); the
 * other source columns are skipped.
 */
export function transactionRows(pipeline: TransactionsPipeline): RowLayout {
  const c = pipeline.columns;
  return ({ header, contract, need, ruleFor, isoDates, dateFormats, nullTokens, delimiter }) => {
    const format = isoDates ? 'YYYY-MM-DD HH:mm:ss' : (dateFormats[c.timestamp] ?? c.timestampFormat);
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
    const planned: (PlannedColumn | undefined)[] = header.map(() => undefined);
    for (const [name, target, required, staging] of map) {
      if (name === undefined) continue;
      const index = need(name);
      planned[index] = {
        index,
        name,
        required: required || contract.columns[name]?.required === true,
        check: targetCheck(target),
        rule: ruleFor(name),
        text: target.kind === 'string',
        target,
        staging,
      };
    }
    const re = fastLineRegex(planned, contract, nullTokens, delimiter, c.amount === undefined);
    const tab = delimiter === '\t';
    // Without an amount column, publish computes quantity × unit price: refuse products DECIMAL(16,4) cannot hold.
    const quantity = planned.find((p) => p?.staging === 'quantity');
    const price = planned.find((p) => p?.staging === 'unit_price');
    return {
      planned,
      columns: ['line', ...planned.map((p) => p?.staging ?? '@skip')],
      json: false,
      fast: re
        ? (text, line) =>
            re.test(text) ? `${line}\t${tab ? text : text.replaceAll(delimiter, '\t')}\n` : undefined
        : undefined,
      checkRow:
        c.amount === undefined
          ? (cells) =>
              Math.abs(Number(cells[quantity!.index]) * Number(cells[price!.index])) >= 1e12
                ? { column: price!.name, reason: 'quantity × unit price out of range for DECIMAL(16,4)' }
                : undefined
          : undefined,
    };
  };
}

/** Month-day pairs that exist in every year (29 February takes the slow path). */
const MONTH_DAY =
  '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
const ISO_DATETIME = `[1-9]\\d{3}-${MONTH_DAY} (?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d`;

/**
 * One regex over a whole unquoted line that accepts only rows the slow path would store unchanged:
 * plain decimals within range, ISO timestamps that exist, non-null strings within length without
 * TSV specials or a spreadsheet-formula start. Anything else (or a rule it cannot express) fails it,
 * and the line takes the slow path, which is the reference behaviour.
 */
function fastLineRegex(
  planned: (PlannedColumn | undefined)[],
  contract: Contract,
  nullTokens: string[],
  delimiter: string,
  computedAmount: boolean,
): RegExp | undefined {
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
    if (
      rule &&
      ((rule.min !== undefined && rule.min > 0) ||
        rule.max !== undefined ||
        rule.values ||
        rule.type === 'date' ||
        rule.type === 'boolean')
    )
      return undefined;
    const sign = rule?.min !== undefined ? '' : '-?';
    if (rule && (rule.type === 'number' || rule.type === 'integer') && col.target.kind !== 'decimal')
      return undefined;
    const guard = rule?.pattern ? `(?=(?:${rule.pattern})(?:${d}|$))` : '';
    const t = col.target;
    if (t.kind === 'decimal') {
      // With a computed amount, small operands guarantee quantity × price fits DECIMAL(16,4).
      const int =
        computedAmount && (col.staging === 'quantity' || col.staging === 'unit_price')
          ? Math.min(t.precision - t.scale, 6 - (col.staging === 'unit_price' ? 1 : 0))
          : t.precision - t.scale;
      parts.push(
        `${guard}${sign}\\d{1,${int}}${rule?.type === 'integer' ? '' : `(?:\\.\\d{1,${t.scale}})?`}`,
      );
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
