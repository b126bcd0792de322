import { describe, expect, it } from 'vitest';
import { compileDateFormat } from './date-format.ts';

describe('compileDateFormat', () => {
  it('reads declared formats into MySQL DATETIME text', () => {
    expect(compileDateFormat('DD/MM/YYYY HH:mm')('03/11/2026 10:05')).toBe('2026-11-03 10:05:00');
    expect(compileDateFormat('M/D/YYYY H:mm')('12/1/2010 8:26')).toBe('2010-12-01 08:26:00');
    expect(compileDateFormat('YYYY-MM-DD')('2011-12-09')).toBe('2011-12-09 00:00:00');
    expect(compileDateFormat('YYYY-MM-DD HH:mm:ss')('2011-12-09 12:50:00')).toBe('2011-12-09 12:50:00');
  });

  it('refuses impossible dates instead of rolling them over', () => {
    for (const fmt of ['YYYY-MM-DD HH:mm:ss', 'YYYY-MM-DD HH:mm:ss.']) {
      const read = compileDateFormat(fmt.replace(/\.$/, ''));
      for (const bad of [
        '2011-02-30 10:00:00',
        '2011-13-01 10:00:00',
        '2011-04-31 10:00:00',
        '2011-01-01 24:00:00',
        '2011-01-01 10:60:00',
        '2011-02-29 00:00:00',
        '11-01-01 10:00:00',
        '2011-01-01T10:00:00',
      ]) {
        expect(read(bad), bad).toBeUndefined();
      }
      expect(read('2012-02-29 00:00:00')).toBe('2012-02-29 00:00:00');
    }
    expect(compileDateFormat('DD/MM/YYYY')('2011-01-01')).toBeUndefined();
  });

  it('rejects a format without year, month and day', () => {
    expect(() => compileDateFormat('HH:mm')).toThrow(/needs YYYY/);
  });
});
