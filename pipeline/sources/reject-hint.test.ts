import { describe, expect, it } from 'vitest';
import { rejectHint } from './reject-hint.ts';

describe('rejectHint', () => {
  it('a spread of cell counts on blank-padded lines suggests the whitespace separator', () => {
    const byReason = new Map([
      ['(row): expected 4 cells, found 5', 10],
      ['(row): expected 4 cells, found 9', 30],
      ['(row): expected 4 cells, found 7', 5],
    ]);
    expect(rejectHint(byReason, ' ')).toBe(
      'lines have 5-9 cells where 4 are expected: is the separator whitespace? try parse.delimiter: "whitespace" (or parse.fixedWidths for fixed columns)',
    );
  });

  it('one cell per line suggests another separator', () => {
    expect(rejectHint(new Map([['(row): expected 8 cells, found 1', 3]]), ',')).toMatch(
      /^every line is one cell: .*parse\.delimiter/,
    );
  });

  it('dates in another format suggest declaring it', () => {
    expect(rejectHint(new Map([['InvoiceDate: not a date in format YYYY-MM-DD HH:mm:ss', 9]]), ',')).toMatch(
      /timestampFormat/,
    );
  });

  it('says nothing when the rejects have no common cause', () => {
    expect(
      rejectHint(
        new Map([
          ['Quantity: not a number', 5],
          ['Country: required value is empty', 5],
        ]),
        ',',
      ),
    ).toBe('');
    expect(rejectHint(new Map(), ',')).toBe('');
  });
});
