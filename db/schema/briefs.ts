import { sql } from 'drizzle-orm';
import { int, mysqlTable, primaryKey, timestamp, varchar } from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';

/**
 * What each generation of a run's stakeholder brief told people about the published scores: a
 * checksum of the table's scores, how many customers, and the top of the list. A rerun whose
 * published scores differ from the last generation's mails the brief again, marked "Corrected";
 * identical scores send nothing.
 */
export const briefScores = mysqlTable(
  'brief_scores',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    generation: int('generation').notNull(),
    /** sha256 over (customer_id, score) of the published rows, in customer order. */
    checksum: varchar('checksum', { length: 64 }).notNull(),
    customers: int('customers').notNull(),
    /** The highest-scored customer ids, best first (bounded), to say how the top list changed. */
    topIds: jsonColumn<string[]>('top_ids').notNull(),
    /** The outbox kind the brief was queued under (report, report.corrected.gN). */
    kind: varchar('kind', { length: 32 }).notNull(),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [primaryKey({ columns: [t.runKey, t.generation] })],
);
