import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  datetime,
  decimal,
  double,
  index,
  int,
  mysqlTable,
  primaryKey,
  timestamp,
  tinyint,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';
import { valueColumns } from './scores.ts';

/**
 * Transactions mode, after cleaning: one row per order (an invoice at one timestamp, purchases
 * and cancellations apart), per run. The clustered key (run, customer, time) lets the feature
 * query group customers in key order without a sort.
 */
export const cleanOrders = mysqlTable(
  'clean_orders',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    customerId: varchar('customer_id', { length: 64 }).notNull(),
    orderedAt: datetime('ordered_at', { mode: 'string' }).notNull(),
    /** The invoice number ('' when the source has none: then the timestamp identifies the order). */
    orderKey: varchar('order_key', { length: 64 }).notNull(),
    isCancel: tinyint('is_cancel').notNull(),
    /** Net amount of the order's lines; negative for a cancellation. */
    amount: decimal('amount', { precision: 18, scale: 4 }).notNull(),
    lineCount: int('line_count').notNull(),
    /** Products in this order the customer had never bought before: sums to distinct products at any cutoff. */
    newProducts: int('new_products').notNull(),
    country: varchar('country', { length: 64 }),
  },
  (t) => [
    primaryKey({
      name: 'clean_orders_pk',
      columns: [t.runKey, t.customerId, t.orderedAt, t.orderKey, t.isCancel],
    }),
  ],
);

/**
 * Transactions mode features: one row per customer and cutoff, typed columns (the features
 * step computes them with one INSERT … SELECT per cutoff). Roles: train (earlier cutoffs),
 * valid (T − H), score (T). Label = bought within H days from the cutoff; null for score rows.
 */
export const customerFeatures = mysqlTable(
  'customer_features',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    role: varchar('role', { length: 8 }).notNull(),
    cutoff: date('cutoff', { mode: 'string' }).notNull(),
    customerId: varchar('customer_id', { length: 64 }).notNull(),
    label: tinyint('label'),
    recencyDays: double('recency_days').notNull(),
    frequency: int('frequency').notNull(),
    monetary: double('monetary').notNull(),
    avgOrderValue: double('avg_order_value').notNull(),
    maxOrderValue: double('max_order_value').notNull(),
    tenureDays: double('tenure_days').notNull(),
    orders30: int('orders_30').notNull(),
    spend30: double('spend_30').notNull(),
    orders90: int('orders_90').notNull(),
    spend90: double('spend_90').notNull(),
    meanDaysBetweenOrders: double('mean_days_between_orders'),
    distinctProducts: int('distinct_products').notNull(),
    cancellations: int('cancellations').notNull(),
    trend: double('trend').notNull(),
    country: varchar('country', { length: 64 }),
    // Customer value (BG/NBD + Gamma-Gamma fitted on this snapshot's history, see pipeline/value);
    // null when the fit was refused (the feature set's warnings say why).
    ...valueColumns,
  },
  (t) => [primaryKey({ columns: [t.runKey, t.role, t.cutoff, t.customerId] })],
);

/** One row per data-quality check and run: what it measured, against what, and the outcome. */
export const qualityResults = mysqlTable(
  'quality_results',
  {
    id: int('id').autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    step: varchar('step', { length: 32 }).notNull(),
    checkName: varchar('check_name', { length: 120 }).notNull(),
    severity: varchar('severity', { length: 8 }).$type<'warn' | 'block'>().notNull(),
    outcome: varchar('outcome', { length: 8 }).$type<'pass' | 'warn' | 'block' | 'skipped'>().notNull(),
    value: double('value'),
    limit: varchar('limit_text', { length: 120 }).notNull(),
    message: varchar('message', { length: 500 }).notNull(),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    uniqueIndex('quality_results_run_check').on(t.runKey, t.checkName),
    index('quality_results_pipeline').on(t.pipeline, t.checkName, t.businessDate),
  ],
);

/** PSI per feature (training reference vs scoring rows) and of the scores (previous run vs this one). */
export const driftResults = mysqlTable(
  'drift_results',
  {
    id: int('id').autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    kind: varchar('kind', { length: 8 }).$type<'feature' | 'score'>().notNull(),
    name: varchar('name', { length: 191 }).notNull(),
    psi: double('psi').notNull(),
    band: varchar('band', { length: 12 }).$type<'stable' | 'moderate' | 'significant'>().notNull(),
    /** What the current values were compared with (e.g. `train@2011-03-14`, a previous run key). */
    reference: varchar('reference', { length: 160 }).notNull(),
    /** Bin edges and shares, for the report's charts. */
    details: jsonColumn('details'),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('drift_results_run_kind_name').on(t.runKey, t.kind, t.name)],
);

/** Transactions mode: every raw line the clean step dropped, with the rule that dropped it (join raw_transactions on id for the line). */
export const cleanDrops = mysqlTable(
  'clean_drops',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    rawId: bigint('raw_id', { mode: 'number', unsigned: true }).notNull(),
    reason: varchar('reason', { length: 64 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runKey, t.rawId] }), index('clean_drops_reason').on(t.runKey, t.reason)],
);
