import { sql } from 'drizzle-orm';
import {
  boolean,
  double,
  index,
  int,
  mysqlTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';
import { longblob } from './data.ts';

/** What a version was trained on, so "retrain it" is a recipe, not a guess. */
export interface TrainingWindow {
  mode: 'labeled' | 'transactions';
  businessDate: string;
  /** transactions: the time snapshots trained and validated on (cutoff, end of the label window). */
  snapshots?: { role: 'train' | 'valid' | 'score'; cutoff: string; labelEnd: string | null }[];
  /** labeled: the share held out by the seeded stratified split. */
  validationShare?: number;
  seed: number;
  trainRows: number;
  validRows: number;
  /** transactions: the customer-value fits (BG/NBD, Gamma-Gamma) of each snapshot, with their time unit and validation. */
  customerValue?: unknown;
}

/**
 * Every trained model: the registry. The row stays small: the gzipped serialized model lives in
 * model_chunks (any size, no row near max_allowed_packet), described here by its size, chunk
 * count and sha256, which loading checks.
 */
export const modelVersions = mysqlTable(
  'model_versions',
  {
    id: int('id').autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    /** What people read and type: v1, v2, … counted per pipeline (the id stays the internal key). */
    version: int('version').notNull(),
    /** The run that trained it; runs that reused it are linked in run_models. */
    runKey: varchar('run_key', { length: 120 }).notNull(),
    engine: varchar('engine', { length: 16 }).notNull(),
    params: jsonColumn('params').notNull(),
    featureNames: jsonColumn<string[]>('feature_names').notNull(),
    /** sha256 over the training rows, so "same data" can be checked, not assumed. */
    dataFingerprint: varchar('data_fingerprint', { length: 64 }).notNull(),
    /**
     * sha256 over everything the fit depends on (training and validation rows, the configured
     * recipe with engine and seed, feature names): a later run with the same key reuses this
     * version instead of fitting an identical one. Null: stored before the key existed.
     */
    fitKey: varchar('fit_key', { length: 64 }),
    trainingWindow: jsonColumn<TrainingWindow>('training_window'),
    metrics: jsonColumn('metrics'),
    threshold: double('threshold'),
    trainRows: int('train_rows').notNull(),
    fitMs: int('fit_ms').notNull(),
    modelBytes: int('model_bytes').notNull(),
    modelChunks: int('model_chunks').notNull(),
    modelSha256: varchar('model_sha256', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [
    uniqueIndex('model_versions_run').on(t.runKey),
    uniqueIndex('model_versions_number').on(t.pipeline, t.version),
    index('model_versions_pipeline').on(t.pipeline),
    index('model_versions_fit').on(t.pipeline, t.fitKey),
  ],
);

/**
 * The last version number given out per pipeline: the next version takes it + 1 under this
 * row's lock, so concurrent runs of one pipeline take turns and other pipelines never wait.
 */
export const modelVersionNumbers = mysqlTable('model_version_numbers', {
  pipeline: varchar('pipeline', { length: 64 }).primaryKey(),
  lastVersion: int('last_version').notNull(),
});

/**
 * The version each run used: the one it trained, or (reused) an earlier version with the same
 * fit key, so identical data + params + seed never adds a version. Evaluate, score and the
 * report find "the run's model" here.
 */
export const runModels = mysqlTable(
  'run_models',
  {
    runKey: varchar('run_key', { length: 120 }).primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    versionId: int('version_id').notNull(),
    reused: boolean('reused').notNull().default(false),
    updatedAt: timestamp('updated_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('run_models_version').on(t.versionId)],
);

/**
 * Labeled mode: the out-of-fold score of every row whose outcome is known (train and validation
 * rows), cross-fitted by the run's recipe; the score step publishes these instead of the
 * champion's in-sample score and marks the rows as known outcomes.
 */
export const knownOutcomeScores = mysqlTable(
  'known_outcome_scores',
  {
    runKey: varchar('run_key', { length: 120 }).notNull(),
    entityId: varchar('entity_id', { length: 191 }).notNull(),
    score: double('score').notNull(),
    /** The fold whose model scored the row (trained on every other fold). */
    fold: int('fold').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runKey, t.entityId] })],
);

/**
 * A version's stored model in pieces of at most MODEL_CHUNK_BYTES (seq 0, 1, …): each row and
 * each INSERT stays far below any server's max_allowed_packet, whatever the forest's size.
 */
export const modelChunks = mysqlTable(
  'model_chunks',
  {
    versionId: int('version_id').notNull(),
    seq: int('seq').notNull(),
    data: longblob('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.seq] })],
);

export const modelAliasNames = ['champion', 'challenger'] as const;
export type ModelAliasName = (typeof modelAliasNames)[number];

/** champion: the version tonight's scores come from; challenger: the latest version evaluated against it. */
export const modelAliases = mysqlTable(
  'model_aliases',
  {
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    alias: varchar('alias', { length: 16 }).$type<ModelAliasName>().notNull(),
    versionId: int('version_id').notNull(),
    updatedAt: timestamp('updated_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [primaryKey({ columns: [t.pipeline, t.alias] })],
);

/** Metric values of both models on the same validation rows (null: the model could not be scored on them). */
export interface ComparedMetrics {
  rows: number;
  positives: number;
  challenger: Record<string, number | null>;
  champion: Record<string, number | null> | null;
}

/**
 * The decision trail: every promotion decision, automatic (one per run key, replaced when the
 * run is rerun) or by a person (`cpd promote`, run_key null). A kept champion is recorded too,
 * so a worse challenger is never dropped silently.
 */
export const modelDecisions = mysqlTable(
  'model_decisions',
  {
    id: int('id').autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    runKey: varchar('run_key', { length: 120 }),
    challengerVersion: int('challenger_version').notNull(),
    /** The champion before this decision (null: the pipeline had none). */
    championVersion: int('champion_version'),
    /** The champion after it: the version scores come from. */
    resultVersion: int('result_version'),
    metric: varchar('metric', { length: 32 }).notNull(),
    challengerValue: double('challenger_value'),
    championValue: double('champion_value'),
    rule: varchar('rule', { length: 200 }).notNull(),
    compared: jsonColumn<ComparedMetrics>('compared'),
    promoted: boolean('promoted').notNull(),
    reason: text('reason').notNull(),
    decidedBy: varchar('decided_by', { length: 8 }).$type<'auto' | 'user'>().notNull(),
    actor: varchar('actor', { length: 120 }).notNull(),
    decidedAt: timestamp('decided_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  // Unique per run key: a rerun replaces its automatic decision. NULLs (manual) do not collide.
  (t) => [
    uniqueIndex('model_decisions_run').on(t.runKey),
    index('model_decisions_pipeline').on(t.pipeline, t.id),
  ],
);
