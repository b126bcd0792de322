import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  double,
  index,
  int,
  mysqlTable,
  mysqlView,
  primaryKey,
  timestamp,
  tinyint,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../json-column.ts';

/** The reasons column: the features that moved this customer's score most, largest first. */
export interface ScoreReason {
  feature: string;
  /** Signed change of the probability credited to the feature (tree path contributions). */
  contribution: number;
}

/**
 * Customer value (transactions pipelines; null for labeled ones and when the fit was refused):
 * P(alive), expected orders and revenue in the label horizon, expected spend per order, the
 * 12-month discounted CLV (currency of the amounts) and the median days to the next order.
 */
export const valueColumns = {
  pAlive: double('p_alive'),
  expectedOrders: double('expected_orders'),
  expectedSpend: double('expected_spend'),
  expectedRevenue: double('expected_revenue'),
  clv12m: double('clv_12m'),
  nextOrderDays: double('next_order_days'),
};

/**
 * The layout of every published scores table. Each pipeline publishes its own table
 * (`scores_<pipeline>`, created LIKE this one), so one pipeline's swap never touches another's;
 * the `customer_scores` view unions them. This table itself stays empty.
 */
const scoreColumns = {
  pipeline: varchar('pipeline', { length: 64 }).notNull(),
  customerId: varchar('customer_id', { length: 191 }).notNull(),
  /** Nullable only so the publish gate can count missing scores in staging; published tables have none. */
  score: double('score'),
  /** 1 = the tenth most likely to buy. */
  decile: tinyint('decile').notNull(),
  segment: varchar('segment', { length: 8 }).$type<'high' | 'medium' | 'low'>().notNull(),
  /** The scoring model's version number within the pipeline (v3 is 3), as `cpd models` lists it. */
  modelVersion: int('model_version').notNull(),
  runKey: varchar('run_key', { length: 120 }).notNull(),
  businessDate: date('business_date', { mode: 'string' }).notNull(),
  scoredAt: timestamp('scored_at', { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`),
  reasons: jsonColumn<ScoreReason[]>('reasons'),
  /** 1: the row's outcome is already known (a labeled row): its score is out-of-fold and it is no target. */
  knownOutcome: tinyint('known_outcome').notNull().default(0),
  ...valueColumns,
};

export const customerScoresTemplate = mysqlTable('customer_scores_template', scoreColumns, (t) => [
  primaryKey({ columns: [t.pipeline, t.customerId] }),
  index('scores_decile').on(t.decile),
]);

/** What analysts query: tonight's published scores of every pipeline (a view kept by the publish step). */
export const customerScores = mysqlView('customer_scores', scoreColumns).existing();

/** The previously published scores of every pipeline: what `cpd rollback` would restore. */
export const customerScoresPrev = mysqlView('customer_scores_prev', scoreColumns).existing();

/** Every published night, for trends and top movers; trimmed to the pipeline's retention. */
export const customerScoreHistory = mysqlTable(
  'customer_score_history',
  {
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    customerId: varchar('customer_id', { length: 191 }).notNull(),
    score: double('score').notNull(),
    decile: tinyint('decile').notNull(),
    segment: varchar('segment', { length: 8 }).notNull(),
    modelVersion: int('model_version').notNull(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    ...valueColumns,
  },
  (t) => [
    primaryKey({ columns: [t.pipeline, t.businessDate, t.customerId] }),
    index('score_history_customer').on(t.pipeline, t.customerId, t.businessDate),
  ],
);

export const publicationActions = ['publish', 'blocked', 'rollback'] as const;
export type PublicationAction = (typeof publicationActions)[number];

/** The publish ledger: every swap, blocked gate and rollback, with who and when. */
export const scorePublications = mysqlTable(
  'score_publications',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    action: varchar('action', { length: 16 }).$type<PublicationAction>().notNull(),
    /** The run whose scores are published after the action (blocked: the run that was refused). */
    runKey: varchar('run_key', { length: 120 }),
    /** The run published before the action. */
    replacedRunKey: varchar('replaced_run_key', { length: 120 }),
    rows: bigint('rows', { mode: 'number' }),
    /** Every gate's value, limit and verdict. */
    gates: jsonColumn('gates'),
    /** 101 quantiles of the published scores: the reference of the next night's PSI gate. */
    scoreQuantiles: jsonColumn<number[]>('score_quantiles'),
    /** OS user or `--by` for manual actions; `worker:<host>` for the score step. */
    actor: varchar('actor', { length: 120 }).notNull(),
    createdAt: timestamp('created_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('score_publications_pipeline').on(t.pipeline, t.id)],
);

export const publishPhases = [
  'staging',
  'history',
  'swapped',
  'views',
  'logged',
  'verified',
  'blocked',
  'history-only',
] as const;
export type PublishPhase = (typeof publishPhases)[number];

/**
 * Where the publish of one run generation got to. Written after each phase, so a retry after a
 * crash anywhere finishes the phases left (a crash after the RENAME still gets its views, its
 * publication log entry and the check that `customer_scores` returns the night's rows).
 */
export const scorePublishState = mysqlTable(
  'score_publish_state',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    runKey: varchar('run_key', { length: 120 }).notNull(),
    generation: int('generation').notNull(),
    phase: varchar('phase', { length: 16 }).$type<PublishPhase>().notNull(),
    /** What the phases so far decided (gates, replaced run, row counts): what a resumed publish needs to finish. */
    outcome: jsonColumn('outcome'),
    updatedAt: timestamp('updated_at', { fsp: 3 })
      .notNull()
      .default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('score_publish_state_run').on(t.runKey, t.generation)],
);
