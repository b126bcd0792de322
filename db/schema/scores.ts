import { sql } from 'drizzle-orm';
import { date, double, index, int, mysqlTable, primaryKey, timestamp, tinyint, varchar } from 'drizzle-orm/mysql-core';

/** Tonight's propensity for every customer of each pipeline: what analysts query. */
export const customerScores = mysqlTable(
  'customer_scores',
  {
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    customerId: varchar('customer_id', { length: 191 }).notNull(),
    score: double('score').notNull(),
    /** 1 = the tenth most likely to buy. */
    decile: tinyint('decile').notNull(),
    modelVersion: int('model_version').notNull(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    scoredAt: timestamp('scored_at', { fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [primaryKey({ columns: [t.pipeline, t.customerId] }), index('customer_scores_decile').on(t.pipeline, t.decile)],
);
