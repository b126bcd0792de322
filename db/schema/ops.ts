import { sql } from 'drizzle-orm';
import { date, index, int, mysqlTable, timestamp, varchar } from 'drizzle-orm/mysql-core';

export type TickDecision = 'started' | 'existing' | 'skipped' | 'catch-up' | 'error';

/**
 * Every scheduler decision: a cron tick (one row per scheduler process, so a double fire is
 * visible), a missed night run or skipped by the catch-up policy, or a start that failed.
 * "Why did Tuesday not run?" is answered here.
 */
export const scheduleTicks = mysqlTable(
  'schedule_ticks',
  {
    id: int('id').autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    /** The cron slot this decision is about (for catch-up: the missed slot). */
    fireAt: timestamp('fire_at', { fsp: 3 }).notNull(),
    decision: varchar('decision', { length: 16 }).$type<TickDecision>().notNull(),
    /** host:pid of the scheduler process. */
    scheduler: varchar('scheduler', { length: 120 }).notNull(),
    runKey: varchar('run_key', { length: 120 }),
    note: varchar('note', { length: 500 }),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('schedule_ticks_pipeline_date').on(t.pipeline, t.businessDate)],
);
