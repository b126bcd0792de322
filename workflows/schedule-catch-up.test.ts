import { describe, expect, it } from 'vitest';
import { planCatchUp } from './schedule-catch-up.ts';

// The scheduler ran the night of the 1st, then was down for three nights; it restarts at 01:00 on the 5th.
const schedule = { cron: '0 2 * * *', timezone: 'Europe/London' };
const now = new Date('2026-01-05T01:00:00Z');
const known = new Set(['2026-01-01']);

describe('catch-up policy', () => {
  it('skip: records every missed night as skipped', () => {
    const plan = planCatchUp(schedule, { policy: 'skip', maxDays: 7 }, now, known);
    expect(plan.map((p) => [p.businessDate, p.action])).toEqual([
      ['2026-01-02', 'skip'],
      ['2026-01-03', 'skip'],
      ['2026-01-04', 'skip'],
    ]);
  });

  it('latest: runs only the most recent missed night', () => {
    const plan = planCatchUp(schedule, { policy: 'latest', maxDays: 7 }, now, known);
    expect(plan.map((p) => [p.businessDate, p.action])).toEqual([
      ['2026-01-02', 'skip'],
      ['2026-01-03', 'skip'],
      ['2026-01-04', 'run'],
    ]);
  });

  it('backfill: runs every missed night oldest first, but only within maxDays', () => {
    expect(
      planCatchUp(schedule, { policy: 'backfill', maxDays: 7 }, now, known).map((p) => p.businessDate),
    ).toEqual(['2026-01-02', '2026-01-03', '2026-01-04']);
    expect(
      planCatchUp(schedule, { policy: 'backfill', maxDays: 2 }, now, known).map((p) => p.businessDate),
    ).toEqual(['2026-01-03', '2026-01-04']);
  });

  it('nothing is missed when the ledger knows every night, and a slot exactly now counts', () => {
    const all = new Set(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']);
    expect(planCatchUp(schedule, { policy: 'backfill', maxDays: 7 }, now, all)).toEqual([]);
    const atTick = planCatchUp(
      schedule,
      { policy: 'latest', maxDays: 1 },
      new Date('2026-01-05T02:00:00Z'),
      all,
    );
    expect(atTick.map((p) => [p.businessDate, p.action])).toEqual([['2026-01-05', 'run']]);
  });

  it('uses the business date in the pipeline zone, not UTC', () => {
    const tokyo = { cron: '0 1 * * *', timezone: 'Asia/Tokyo' };
    // 01:00 in Tokyo is 16:00 UTC the day before.
    const plan = planCatchUp(
      tokyo,
      { policy: 'backfill', maxDays: 1 },
      new Date('2026-01-04T17:00:00Z'),
      new Set(),
    );
    expect(plan.map((p) => [p.businessDate, p.fireAt.toISOString()])).toEqual([
      ['2026-01-05', '2026-01-04T16:00:00.000Z'],
    ]);
  });
});
