import { describe, expect, it } from 'vitest';
import { CronLintError, firesBetween, lintCron, nextFires, offsetMinutes, zonedInstant } from './schedule.ts';

describe('schedule maths', () => {
  it('lists fires in the pipeline zone with their business date', () => {
    const fires = nextFires('0 2 * * *', 'Europe/London', new Date('2026-06-01T00:00:00Z'), 2);
    expect(fires.map((f) => f.at.toISOString())).toEqual([
      '2026-06-01T01:00:00.000Z',
      '2026-06-02T01:00:00.000Z',
    ]);
    expect(fires.map((f) => f.local)).toEqual(['2026-06-01 02:00:00', '2026-06-02 02:00:00']);
    expect(fires.map((f) => f.businessDate)).toEqual(['2026-06-01', '2026-06-02']);
    expect(fires.every((f) => f.dst === null)).toBe(true);
  });

  it('flags a fire in the spring-forward gap and one in the autumn overlap', () => {
    const spring = nextFires('30 1 * * *', 'Europe/London', new Date('2026-03-28T12:00:00Z'), 2);
    expect(spring[0]).toMatchObject({ businessDate: '2026-03-29', dst: 'gap', local: '2026-03-29 02:30:00' });
    expect(spring[1]?.dst).toBeNull();
    const autumn = nextFires('30 1 * * *', 'Europe/London', new Date('2026-10-24T12:00:00Z'), 2);
    expect(autumn[0]).toMatchObject({ businessDate: '2026-10-25', dst: 'overlap' });
    expect(autumn[1]?.dst).toBeNull();
    // 02:00 exists on the spring-forward day (it is the first minute of BST): not a gap.
    expect(nextFires('0 2 * * *', 'Europe/London', new Date('2026-03-28T12:00:00Z'), 1)[0]?.dst).toBeNull();
  });

  it('rejects day-of-month with day-of-week, which node-cron ANDs and cron-parser ORs', () => {
    expect(() => lintCron('0 2 13 * 5', 'UTC')).toThrow(CronLintError);
    expect(() => lintCron('0 2 13 * 5', 'UTC')).toThrow(/day-of-month \(13\) and day-of-week \(5\)/);
    expect(() => lintCron('0 2 * * 1-5', 'Europe/London')).not.toThrow();
    expect(() => lintCron('*/5 * * * * *', 'UTC')).not.toThrow();
    expect(() => lintCron('0 25 * * *', 'UTC')).toThrow(CronLintError);
  });

  it('lists the fires between two instants, oldest first, including one exactly at the end', () => {
    const fires = firesBetween(
      '0 2 * * *',
      'UTC',
      new Date('2026-01-01T02:00:00Z'),
      new Date('2026-01-04T02:00:00Z'),
    );
    expect(fires.map((f) => f.businessDate)).toEqual(['2026-01-02', '2026-01-03', '2026-01-04']);
  });

  it('converts a local deadline to an instant on either side of DST', () => {
    expect(zonedInstant('2026-01-15', '06:00', 'Europe/London').toISOString()).toBe(
      '2026-01-15T06:00:00.000Z',
    );
    expect(zonedInstant('2026-07-15', '06:00', 'Europe/London').toISOString()).toBe(
      '2026-07-15T05:00:00.000Z',
    );
    expect(zonedInstant('2026-03-29', '06:00', 'Europe/London').toISOString()).toBe(
      '2026-03-29T05:00:00.000Z',
    );
    expect(offsetMinutes(new Date('2026-07-15T05:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });
});
