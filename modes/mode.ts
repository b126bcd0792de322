import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../db/client.ts';
import type { BulkTarget } from '../db/load-infile.ts';
import type { loadedFiles, sourceFiles, TrainingWindow } from '../db/schema/index.ts';
import type { RunRecord, StepResult, WorkContext } from '../pipeline/context.ts';
import type { FeatureKeyBoundaries, FeaturePageReader } from '../pipeline/features/feature-chunks.ts';
import type { FeatureMatrixReader } from '../pipeline/features/feature-matrix-type.ts';
import type { RowLayout } from '../pipeline/sources/contracts/row-plan.ts';
import type { PublishRows, StagedInput, StagingTables } from '../pipeline/sources/publish-staged.ts';
import type { ExploratorySample } from '../reports/gather/gather-exploratory.ts';

/**
 * Everything that differs between a labeled pipeline (one table of examples with a label column)
 * and a transactions pipeline (purchase lines, labels from time snapshots), for the one pipeline it
 * was made for (modeOf). Steps call it and never test the mode; a third mode is one more file.
 */
export interface PipelineMode {
  load: LoadPlan;
  /** The clean step's work: loaded rows to the typed, checked rows the features step reads. */
  clean(ctx: WorkContext): Promise<StepResult>;
  /** The features step's work: feature rows of every role, their guards, and the run's feature_sets row. */
  features(ctx: WorkContext): Promise<StepResult>;
  /** One role of a run, whole (train, evaluate). */
  readFeatures: FeatureMatrixReader;
  /** One role of a run, page by page, in readFeatures' order (score). */
  readFeaturePages: FeaturePageReader;
  /** Where readFeaturePages' slices of n rows end: the score step's fan-out over workers. */
  featureKeyBoundaries: FeatureKeyBoundaries;
  /**
   * What a model version trained on, recorded with it so "retrain it" is a recipe; `set` is the
   * run's feature_sets row (transactions: its customer-value fits go into the registry).
   */
  trainingWindow(
    run: RunRecord,
    rows: { trainRows: number; validRows: number },
    set?: { customerValue: unknown },
  ): TrainingWindow;
  /** Whether shuffled k-fold cross-validation means anything for these rows. */
  kFold: { allowed: true } | { allowed: false; reason: string };
  /** A labeled sample of the run's feature rows, for the report's exploratory section. */
  exploratorySample: ExploratorySample;
}

/** How the load step writes, guards and publishes this mode's inputs, all inside one transaction. */
export interface LoadPlan {
  /**
   * Column definitions of a per-run staging table the rows are written to first (the shape of the
   * mode's raw table), for modes whose publish copies them; undefined: rows go straight to `target`.
   */
  stagingColumns: string | undefined;
  /** What each row of an input becomes in that table (the mode's part of the data contract). */
  rows: RowLayout;
  /** Taken on `conn` for the whole load when runs of the pipeline share tables; released with the connection's locks. */
  lock(conn: PoolConnection): Promise<void>;
  /**
   * The loaded version of an input when the mode skips inputs it already loaded (the load step
   * skips it when the sha256 is the same, replaces its lines otherwise); undefined: load it whole.
   */
  loadedVersion(
    db: Db,
    file: typeof sourceFiles.$inferSelect,
  ): Promise<typeof loadedFiles.$inferSelect | undefined>;
  /** Where an input's rows are written inside the load's transaction: the staging table, or the raw table itself. */
  target(tables: StagingTables, file: typeof sourceFiles.$inferSelect): Omit<BulkTarget, 'columns'>;
  /** Removes the published rows the input replaces, inside the load's transaction, before its rows are written. */
  supersede(conn: PoolConnection, input: Omit<StagedInput, 'staged'>): Promise<void>;
  /** Publishes the written rows (and records what they came from), inside the load's transaction. */
  publish: PublishRows;
}
