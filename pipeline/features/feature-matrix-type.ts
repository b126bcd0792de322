import type { Pool } from 'mysql2/promise';
import type { Db } from '../../db/client.ts';
import type { FeatureRole } from '../../db/schema/index.ts';
import type { Dataset } from '../../ml/dataset.ts';

/** One role's rows of a run as the forest trains and predicts on them (column-major, NaN = missing), in id order. */
export interface FeatureMatrix extends Dataset {
  ids: string[];
}

/** Where the feature readers find a run's rows: Drizzle for ordinary rows, the pool for raw SQL. */
export interface FeatureStore {
  db: Db;
  pool: Pool;
}

/** Reads one role of a run whole (train and evaluate), wherever the run's mode keeps its features. */
export type FeatureMatrixReader = (
  store: FeatureStore,
  runKey: string,
  role: FeatureRole,
) => Promise<FeatureMatrix>;
