import { describe, expect, it } from 'vitest';
import { parsePipeline, type TransactionsPipeline } from '../../../config/pipeline.ts';
import { planRows } from './row-plan.ts';
import { transactionRows } from './transaction-rows.ts';

const header = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
  'Notes',
];
const pipeline = parsePipeline(
  {
    name: 'p',
    mode: 'transactions',
    sources: [{ kind: 'file', path: 'x.csv' }],
    columns: {
      customerId: 'CustomerID',
      timestamp: 'InvoiceDate',
      quantity: 'Quantity',
      unitPrice: 'UnitPrice',
      invoice: 'InvoiceNo',
      product: 'StockCode',
      description: 'Description',
      country: 'Country',
    },
  },
  'test',
) as TransactionsPipeline;
const plan = planRows({
  rowLayout: transactionRows(pipeline),
  file: 'x.csv',
  header,
  contract: {
    columns: { UnitPrice: { type: 'number', min: 0, severity: 'warn', required: false } },
    minRows: 1,
  },
  nullTokens: ['', 'NA'],
  dateFormats: {},
  isoDates: false,
  delimiter: ',',
});

describe('planRows (transactions)', () => {
  it('maps source columns in file order and skips the unread ones', () => {
    expect(plan.columns).toEqual([
      'line',
      'invoice',
      'product_code',
      'description',
      'quantity',
      'invoiced_at',
      'unit_price',
      'customer_id',
      'country',
      '@skip',
    ]);
  });

  it('the fast path accepts only lines the slow path stores unchanged, with the same TSV', () => {
    const valid = [
      '536365,85123A,WHITE MUG,6,2010-12-01 08:26:00,2.55,17850,United Kingdom,x',
      'C536379,D,Discount,-1,2011-02-28 23:59:59,27.5,14527,United Kingdom,',
    ];
    for (const line of valid) {
      // Unread columns (@skip) are sent as they are by the fast path and empty by the slow one.
      expect(plan.fast!(line, 7)?.replace(/\t[^\t]*\n$/, '\t\n'), line).toBe(
        plan.encode(line.split(','), 7, false),
      );
    }
    const slow = [
      '536365,85123A,WHITE MUG,6,2012-02-29 08:26:00,2.55,17850,United Kingdom,', // leap day: exists, but not in the fast regex
      '536365,85123A,WHITE MUG,6,2011-02-29 08:26:00,2.55,17850,United Kingdom,', // does not exist
      '536365,85123A,WHITE MUG,6,2010-12-01 08:26:00,2.55,,United Kingdom,', // empty customer: NULL, not ''
      '536365,85123A,NA,6,2010-12-01 08:26:00,2.55,17850,United Kingdom,', // null token
      '536365,85123A,=HYPERLINK(1),6,2010-12-01 08:26:00,2.55,17850,United Kingdom,', // formula: warned
      '536365,85123A,WHITE MUG,6,2010-12-01 08:26:00,-2.55,17850,United Kingdom,', // breaks min 0: warned
      '536365,85123A,WHITE MUG,1e3,2010-12-01 08:26:00,2.55,17850,United Kingdom,', // exponent: normalised
      '536365,85123A,WHITE\\MUG,6,2010-12-01 08:26:00,2.55,17850,United Kingdom,', // backslash: escaped
      '536365,85123A,WHITE MUG,6,2010-12-01 08:26:00,2.55,17850,United Kingdom', // a cell short
    ];
    for (const line of slow) expect(plan.fast!(line, 7), line).toBeUndefined();
    expect(plan.encode(slow[2]!.split(','), 7, false)).toBe(
      '7\t536365\t85123A\tWHITE MUG\t6\t2010-12-01 08:26:00\t2.55\t\\N\tUnited Kingdom\t\n',
    );
    expect(plan.encode(slow[6]!.split(','), 7, false)).toContain('\t1000.000\t');
    expect(plan.encode(slow[1]!.split(','), 7, false)).toEqual({
      column: 'InvoiceDate',
      reason: 'not a date in format YYYY-MM-DD HH:mm:ss: "2011-02-29 08:26:00"',
    });
  });
});
