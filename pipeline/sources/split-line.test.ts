import { describe, expect, it } from 'vitest';
import { joinCells, lineSplitter } from './split-line.ts';

describe('lineSplitter', () => {
  it('leaves plain delimited text to the scanner', () => {
    expect(lineSplitter({ delimiter: ',' })).toBeUndefined();
    expect(lineSplitter({ delimiter: '\t' })).toBeUndefined();
  });

  it('whitespace: runs of spaces and tabs are one separator, blanks at both ends ignored', () => {
    const split = lineSplitter({ delimiter: 'whitespace' })!;
    expect(split('  00001  19970101   1  11.77')).toEqual(['00001', '19970101', '1', '11.77']);
    expect(split('a\t\tb \t c\t')).toEqual(['a', 'b', 'c']);
    expect(split('single')).toEqual(['single']);
  });

  it('fixed widths: cut and trimmed; text past the last column is an extra cell', () => {
    const split = lineSplitter({ delimiter: ',', fixedWidths: [5, 9, 4] })!;
    expect(split('00001 19970101   1')).toEqual(['00001', '19970101', '1']);
    expect(split('00002 199701')).toEqual(['00002', '199701', '']);
    expect(split('00003 19970101   2 oops')).toEqual(['00003', '19970101', '2', 'oops']);
    expect(split('00004 19970101   3   ')).toEqual(['00004', '19970101', '3']);
  });

  it('joins a rejected record back for display', () => {
    expect(joinCells({ delimiter: ';' }, ['a', 'b'])).toBe('a;b');
    expect(joinCells({ delimiter: 'whitespace' }, ['a', 'b'])).toBe('a b');
  });
});
