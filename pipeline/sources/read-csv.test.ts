import { describe, expect, it } from 'vitest';
import { CsvFormatError, CsvScanner } from './read-csv.ts';

function scan(
  text: string | string[],
  opts: Partial<{ delimiter: string; quote: string; maxRecordChars: number }> = {},
) {
  const records: [number, string[]][] = [];
  const bad: [number, string][] = [];
  const s = new CsvScanner(
    { delimiter: ',', quote: '"', maxRecordChars: 1000, ...opts },
    (cells, line) => records.push([line, cells]),
    (line, reason) => bad.push([line, reason]),
  );
  for (const piece of Array.isArray(text) ? text : [text]) s.push(piece);
  s.end();
  return { records, bad, blank: s.blankLines };
}

describe('CsvScanner', () => {
  it('splits plain and quoted records with their starting line, across any chunking', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n2,"multi\nline",4\n\n   \n5,6,7';
    const whole = scan(text);
    expect(whole.records).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, "y"', '3']],
      [3, ['2', 'multi\nline', '4']],
      [7, ['5', '6', '7']],
    ]);
    expect(whole.blank).toBe(2);
    for (let size = 1; size < 12; size++) {
      const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(scan(pieces).records, `chunks of ${size}`).toEqual(whole.records);
    }
  });

  it('quarantines text after a closing quote and over-long records, then carries on', () => {
    const { records, bad } = scan([
      '1,"a"b,2\n',
      `3,${'x'.repeat(600)}`,
      'y'.repeat(600),
      'z'.repeat(600),
      '\n4,5,6\n',
    ]);
    expect(bad).toEqual([
      [1, 'unexpected text after the closing quote of column 2'],
      [2, 'record longer than 1000 characters (an unterminated quote?)'],
    ]);
    expect(records).toEqual([[3, ['4', '5', '6']]]);
  });

  it('an unterminated quote at the end of the file is an error naming line and column', () => {
    const err = (() => {
      try {
        scan('a,b\n1,"open\n2,3\n');
      } catch (e) {
        return e as CsvFormatError;
      }
    })();
    expect(err).toBeInstanceOf(CsvFormatError);
    expect({ line: err?.line, column: err?.columnIndex }).toEqual({ line: 2, column: 1 });
  });

  it('tab-separated without quoting', () => {
    expect(scan('a\t"b\n', { delimiter: '\t', quote: '' }).records).toEqual([[1, ['a', '"b']]]);
  });
});
