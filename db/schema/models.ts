import { sql } from 'drizzle-orm';
import { double, int, json, mysqlTable, timestamp, uniqueIndex, varchar, index } from 'drizzle-orm/mysql-core';
import { longblob } from './data.ts';

/** Every trained model: the registry. `model` is the gzipped serialized forest. */
export const modelVersions = mysqlTable(
  'model_versions',
  {
    id: int('id').autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    engine: varchar('engine', { length: 16 }).notNull(),
    params: json('params').notNull(),
    featureNames: json('feature_names').$type<string[]>().notNull(),
    /** sha256 over the training rows, so "same data" can be checked, not assumed. */
    dataFingerprint: varchar('data_fingerprint', { length: 64 }).notNull(),
    metrics: json('metrics'),
    threshold: double('threshold'),
    trainRows: int('train_rows').notNull(),
    fitMs: int('fit_ms').notNull(),
    model: longblob('model').notNull(),
    createdAt: timestamp('created_at', { fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('model_versions_run').on(t.runKey), index('model_versions_pipeline').on(t.pipeline)],
);
