import { sql } from 'drizzle-orm';
import { bigint, index, int, mysqlTable, timestamp, varchar } from 'drizzle-orm/mysql-core';

/**
 * Every state-changing request made through Bull Board (retry, promote, clean, remove, ...):
 * who did what to which job, and what the board answered. Written before Bull Board acts (status
 * 0 until it has answered), so a click that changed a queue is never missing from the log.
 */
export const auditLog = mysqlTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    at: timestamp('at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    /** The authenticated user name, never a credential. */
    user: varchar('user', { length: 120 }).notNull(),
    role: varchar('role', { length: 16 }).$type<'operator' | 'viewer'>().notNull(),
    method: varchar('method', { length: 8 }).notNull(),
    path: varchar('path', { length: 500 }).notNull(),
    /** e.g. retry, promote, clean, remove, pause, empty, obliterate. */
    action: varchar('action', { length: 40 }).notNull(),
    queue: varchar('queue', { length: 64 }),
    jobId: varchar('job_id', { length: 191 }),
    /** HTTP status the board answered (403 for a refused viewer; 0 while in flight). */
    status: int('status').notNull(),
    remoteAddr: varchar('remote_addr', { length: 64 }),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_job').on(t.queue, t.jobId)],
);
