import { describe, expect, it } from 'vitest';
import { civilDay } from './history-collector.ts';

describe('civilDay', () => {
  it('counts the days of the date part as the calendar does, across leap days, centuries and 1970', () => {
    const DAY = 86_400_000;
    // Every day from 1899-12-25 to 2101-01-05: leap years, 1900 and 2100 (not leap), 2000 (leap).
    for (let t = Date.UTC(1899, 11, 25); t <= Date.UTC(2101, 0, 5); t += DAY) {
      const at = `${new Date(t).toISOString().slice(0, 10)} 23:59:59`;
      expect(civilDay(at), at).toBe(t / DAY);
    }
  });

  it('reads the date part only, whatever the time', () => {
    expect(civilDay('2024-02-29 00:00:00')).toBe(civilDay('2024-02-29 23:59:59'));
    expect(civilDay('2024-03-01 00:00:00') - civilDay('2024-02-28 12:00:00')).toBe(2);
  });
});
