import { sql } from 'drizzle-orm';
import { bigint, datetime, decimal, int, mysqlTable, timestamp, varchar } from 'drizzle-orm/mysql-core';

/**
 * Transactions mode: every purchase line a pipeline has loaded, in the Online Retail shape, mapped
 * from whatever the source calls its columns. Lines accumulate across runs; each belongs to the
 * source file it came from, so a changed file replaces exactly its own lines.
 * Only customer_id, invoiced_at and amount are required: many shops export less.
 * No secondary index: even one narrow index, appended in order, made the 10 M-line load 40 %
 * slower (4 M lines through the CLI's LOAD DATA: 21.7-25.9 s with (pipeline, source_file_id),
 * 19.8-20.1 s with (source_file_id), 15.7-16.1 s without). Clean reads the pipeline's lines whole
 * anyway; an input's lines are found by the id range its load recorded in loaded_files.
 */
export const rawTransactions = mysqlTable('raw_transactions', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  pipeline: varchar('pipeline', { length: 64 }).notNull(),
  sourceFileId: int('source_file_id').notNull(),
  line: int('line').notNull(),
  invoice: varchar('invoice', { length: 64 }),
  productCode: varchar('product_code', { length: 64 }),
  description: varchar('description', { length: 255 }),
  quantity: decimal('quantity', { precision: 14, scale: 3 }),
  /** Wall-clock time of the shop (no time zone shift). */
  invoicedAt: datetime('invoiced_at', { mode: 'string' }).notNull(),
  unitPrice: decimal('unit_price', { precision: 14, scale: 4 }),
  /** quantity × unit_price when not given directly; negative for cancellations. */
  amount: decimal('amount', { precision: 16, scale: 4 }).notNull(),
  customerId: varchar('customer_id', { length: 64 }),
  country: varchar('country', { length: 64 }),
  loadedAt: timestamp('loaded_at', { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`),
});
