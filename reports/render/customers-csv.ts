import type { RunReportData, ScoredCustomer } from './report-data.ts';

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

const VALUE_HEADER = [
  'p_alive',
  'expected_orders_in_horizon',
  'expected_spend_per_order',
  'expected_revenue_in_horizon',
  'clv_12m',
  'next_order_days_median',
];

function valueFields(c: ScoredCustomer): string[] {
  const v = c.value;
  const cell = (x: number | null | undefined, digits: number) =>
    x === null || x === undefined ? '' : x.toFixed(digits);
  return [
    cell(v?.pAlive, 4),
    cell(v?.expectedOrders, 4),
    cell(v?.expectedSpend, 2),
    cell(v?.expectedRevenue, 2),
    cell(v?.clv12m, 2),
    cell(v?.nextOrderDays, 1),
  ];
}

/**
 * The scored list as CSV, highest score first. Starts with a byte-order mark so Excel opens
 * UTF-8 ids correctly; lines end in CRLF as RFC 4180 asks.
 */
export function customersCsv(data: RunReportData): string | undefined {
  const customers: ScoredCustomer[] = data.scoredCustomers ?? data.topCustomers ?? [];
  if (customers.length === 0) return undefined;
  // Customer value (transactions pipelines): units in the names; empty cells where tonight had no fit.
  const valued = customers.some((c) => c.value);
  const header = ['rank', 'customer_id', 'score', 'decile', 'segment', ...(valued ? VALUE_HEADER : [])]
    .map(field)
    .join(',');
  const rows = [...customers]
    .sort((a, b) => b.score - a.score)
    .map((c, i) =>
      [
        String(i + 1),
        c.customerId,
        c.score.toFixed(6),
        String(c.decile),
        c.segment ?? '',
        ...(valued ? valueFields(c) : []),
      ]
        .map(field)
        .join(','),
    );
  return `\ufeff${[header, ...rows].join('\r\n')}\r\n`;
}
