import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  index,
  int,
  longtext,
  mediumtext,
  mysqlTable,
  primaryKey,
  text,
  timestamp,
  tinyint,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';

/** LONGBLOB as a Buffer (model bytes, packed feature vectors). */
export const longblob = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'longblob',
});

/**
 * Every file, HTTP body or query result a run read, fingerprinted: the per-run link. `path` is
 * what load reads (HTTP bodies and query results are landed under DATA_DIR first); `origin` is
 * where it came from (the path, the URL, `sql:<source>`) and identifies it across runs.
 */
export const sourceFiles = mysqlTable(
  'source_files',
  {
    id: int('id').autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    pipeline: varchar('pipeline', { length: 64 }).notNull().default(''),
    source: varchar('source', { length: 64 }).notNull(),
    kind: varchar('kind', { length: 8 }).$type<'file' | 'http' | 'sql'>().notNull().default('file'),
    origin: varchar('origin', { length: 1024 }).notNull().default(''),
    path: varchar('path', { length: 1024 }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    /** File mtime or HTTP Last-Modified: the contract's freshness check. */
    modifiedAt: timestamp('modified_at', { fsp: 3 }),
    /** pending (collected), loaded, replaced (a changed version), unchanged (skipped: same sha256 already loaded). */
    action: varchar('action', { length: 16 })
      .$type<'pending' | 'loaded' | 'replaced' | 'unchanged'>()
      .notNull()
      .default('pending'),
    rows: bigint('rows', { mode: 'number' }),
    rejected: bigint('rejected', { mode: 'number' }),
    /** Column names as read from the header (or declared), in file order. */
    header: jsonColumn<string[]>('header'),
    collectedAt: timestamp('collected_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('source_files_run').on(t.runKey)],
);

/**
 * Transactions mode ledger: the version of each input (pipeline + source + origin) whose lines are
 * in raw_transactions now. Same sha256 again: skipped. Another sha256: its lines (raw_transactions
 * rows with source_file_id = sourceFileId) are replaced in the same transaction.
 */
export const loadedFiles = mysqlTable(
  'loaded_files',
  {
    id: int('id').autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    source: varchar('source', { length: 64 }).notNull(),
    /** sha1 of origin: origins are too long for a unique index. */
    originHash: varchar('origin_hash', { length: 40 }).notNull(),
    origin: varchar('origin', { length: 1024 }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    sourceFileId: int('source_file_id').notNull(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    rows: bigint('rows', { mode: 'number' }).notNull(),
    rejected: bigint('rejected', { mode: 'number' }).notNull(),
    /**
     * raw_transactions ids its lines lie between (other pipelines' lines may sit in the range too):
     * the primary-key range that replacing the input deletes from. Null for inputs loaded before
     * the range was recorded (their replacement scans the table).
     */
    firstId: bigint('first_id', { mode: 'number', unsigned: true }),
    lastId: bigint('last_id', { mode: 'number', unsigned: true }),
    loadedAt: timestamp('loaded_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('loaded_files_origin').on(t.pipeline, t.source, t.originHash)],
);

/** Labeled mode raw rows: the cells exactly as read, as a JSON array of strings. */
export const rawRows = mysqlTable(
  'raw_rows',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    sourceFileId: int('source_file_id').notNull(),
    line: int('line').notNull(),
    cells: longtext('cells').notNull(),
  },
  (t) => [index('raw_rows_run').on(t.runKey, t.sourceFileId, t.line)],
);

/** Characters of a row id (the pipeline's id column, stored in clean_rows.row_id): load rejects longer ids. */
export const ROW_ID_LENGTH = 191;

/** Labeled mode typed rows after cleaning. */
export const cleanRows = mysqlTable(
  'clean_rows',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    rowId: varchar('row_id', { length: ROW_ID_LENGTH }).notNull(),
    sourceFileId: int('source_file_id').notNull(),
    line: int('line').notNull(),
    label: tinyint('label'),
    /** Typed values by column name (numbers, booleans, strings, null). */
    /** A clean row's typed values by column name (number, boolean, category text, or null when missing). */
    values: jsonColumn<Record<string, number | boolean | string | null>>('values').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runKey, t.rowId] })],
);

/** Rows a step refused, with where and why; nothing read is ever silently dropped. */
export const rejectedRows = mysqlTable(
  'rejected_rows',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    step: varchar('step', { length: 32 }).notNull(),
    source: varchar('source', { length: 1024 }).notNull(),
    line: int('line'),
    column: varchar('column_name', { length: 191 }),
    reason: varchar('reason', { length: 500 }).notNull(),
    raw: mediumtext('raw'),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('rejected_rows_run').on(t.runKey, t.step)],
);

/** What the features step produced for a run: names, types and encoders. */
export const featureSets = mysqlTable('feature_sets', {
  runKey: varchar('run_key', { length: 120 }).primaryKey(),
  featureNames: jsonColumn<string[]>('feature_names').notNull(),
  categorical: jsonColumn<boolean[]>('categorical').notNull(),
  encoders: jsonColumn('encoders').notNull(),
  rowsTrain: int('rows_train').notNull(),
  rowsValid: int('rows_valid').notNull(),
  rowsScore: int('rows_score').notNull(),
  warnings: jsonColumn<string[]>('warnings').notNull(),
  /** Transactions mode: the customer-value fits of each snapshot and their validation (pipeline/value). */
  customerValue: jsonColumn('customer_value'),
  createdAt: timestamp('created_at', { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`),
});

export const featureRoles = ['train', 'valid', 'score'] as const;
export type FeatureRole = (typeof featureRoles)[number];

/** Encoded feature vectors (Float64 little-endian, NaN = missing), one per entity and role. */
export const featureRows = mysqlTable(
  'feature_rows',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    role: varchar('role', { length: 8 }).$type<FeatureRole>().notNull(),
    entityId: varchar('entity_id', { length: 191 }).notNull(),
    label: tinyint('label'),
    vec: longblob('vec').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runKey, t.role, t.entityId] })],
);

/**
 * One row per run and kind of mail: the outbox. The message is composed once (with its
 * deterministic Message-ID) and stored, so every delivery attempt, by the step or later by the
 * dispatcher, sends the same bytes. `sending` is recorded before the SMTP transaction; a row
 * found in `sending` past its lease was cut off by a crash and is resent once (counted in `resends`).
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export const emailOutbox = mysqlTable(
  'email_outbox',
  {
    id: int('id').autoincrement().primaryKey(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    kind: varchar('kind', { length: 32 }).notNull(),
    recipients: text('recipients').notNull(),
    subject: varchar('subject', { length: 500 }).notNull(),
    status: varchar('status', { length: 16 }).$type<OutboxStatus>().notNull(),
    messageId: varchar('message_id', { length: 255 }),
    /** Where the file outbox wrote it, when no SMTP server is configured. */
    location: varchar('location', { length: 1024 }),
    error: text('error'),
    /** The composed MIME message (headers included): what every attempt sends. */
    mime: longblob('mime'),
    /** The HTML part, for the file outbox's browser copy. */
    html: mediumtext('html'),
    /** SMTP transactions begun (a crash mid-transaction counts). */
    attempts: int('attempts').notNull().default(0),
    /** Transactions begun again after a crash left the row in `sending`: the mail may have arrived twice (same Message-ID). */
    resends: int('resends').notNull().default(0),
    /** When the dispatcher may try a pending mail next. */
    nextAttemptAt: timestamp('next_attempt_at', { fsp: 3 }),
    /** When the current `sending` began: the lease a crashed sender leaves behind. */
    sendingSince: timestamp('sending_since', { fsp: 3 }),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
    sentAt: timestamp('sent_at', { fsp: 3 }),
  },
  (t) => [
    uniqueIndex('email_outbox_run_kind').on(t.runKey, t.kind),
    index('email_outbox_due').on(t.status, t.nextAttemptAt),
  ],
);
