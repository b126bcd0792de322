import { describe, expect, it } from 'vitest';
import { isIsoDate, parseRunKey, runKeyOf, todayIn } from './run-key.ts';

describe('run keys', () => {
  it('round-trips pipeline and business date', () => {
    expect(parseRunKey(runKeyOf('online-shoppers', '2026-11-24'))).toEqual({
      pipeline: 'online-shoppers',
      businessDate: '2026-11-24',
    });
  });
  it('rejects what is not a run key', () => {
    expect(() => parseRunKey('online-shoppers:2026-11-24')).toThrow(/not a run key/);
  });
  it('takes today in the business time zone, not UTC', () => {
    const lateUtc = new Date('2026-11-24T23:30:00Z');
    expect(todayIn('UTC', lateUtc)).toBe('2026-11-24');
    expect(todayIn('Asia/Tokyo', lateUtc)).toBe('2026-11-25');
    expect(todayIn('America/Los_Angeles', new Date('2026-11-25T03:00:00Z'))).toBe('2026-11-24');
  });
  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('26-2-1')).toBe(false);
  });
});
