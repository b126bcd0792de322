import type { BriefCustomer } from './report-data.ts';

/**
 * Spreadsheet apps execute a cell that starts with one of these as a formula (CSV injection,
 * e.g. `=HYPERLINK(...)` in a customer id). A leading apostrophe makes it plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting: every field quoted, inner quotes doubled, so commas and newlines survive. */
function field(value: string): string {
  return `"${neutraliseCell(value).replace(/"/g, '""')}"`;
}

/**
 * The target list as CSV, highest score first, every customer of it (not a sample), with the
 * reasons in words and the expected value when the scores have one. Starts with a byte-order
 * mark so Excel opens UTF-8 ids correctly; lines end in CRLF as RFC 4180 asks.
 */
export function customersCsv(list: BriefCustomer[]): string | undefined {
  if (list.length === 0) return undefined;
  const value = list.some((c) => c.expectedValue !== undefined);
  const header = [
    'rank',
    'customer_id',
    'chance',
    'segment',
    ...(value ? ['expected_value'] : []),
    'reasons',
  ];
  const rows = list.map((c, i) =>
    [
      String(i + 1),
      c.customerId,
      c.score.toFixed(4),
      c.segment ?? '',
      ...(value ? [c.expectedValue === undefined ? '' : c.expectedValue.toFixed(2)] : []),
      c.reasons.join('; '),
    ]
      .map(field)
      .join(','),
  );
  return `\ufeff${[header.map(field).join(','), ...rows].join('\r\n')}\r\n`;
}
