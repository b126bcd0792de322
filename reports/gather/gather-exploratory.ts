import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { Exploratory } from '../render/report-data.ts';
import { exploratoryFromRows, type FeatureFrame } from './exploratory-from-rows.ts';
import { queryRows } from './query-rows.ts';

/** A sample this size gives rates and histograms to well under a percentage point, in ~100 ms. */
const SAMPLE_ROWS = 50_000;

/** The run's features as its feature set names them: what a sample reader needs to decode its rows. */
export interface SampledFeatures {
  names: string[];
  /** Category values by feature name, as the features step coded them. */
  categories: Record<string, string[]>;
}

/**
 * Reads up to `limit` labeled rows (train + validation) of a run, one column per feature, from
 * wherever the run's pipeline keeps its features: the caller that knows the pipeline passes it in,
 * so the report never guesses the shape from stored data. Undefined: no usable sample.
 */
export type ExploratorySample = (
  pool: Pool,
  runKey: string,
  features: SampledFeatures,
  limit: number,
) => Promise<Pick<FeatureFrame, 'labels' | 'columns'> | undefined>;

/**
 * The exploratory section from a sample of the run's labeled feature rows (train + validation).
 * Every mode produces feature rows (labeled: the encoded table; transactions: one row per customer
 * and cutoff), so the section works for any pipeline without knowing its columns.
 */
export async function gatherExploratory(
  pool: Pool,
  runKey: string,
  importance: string[],
  sample: ExploratorySample,
): Promise<Exploratory | undefined> {
  const [set] = await queryRows<{ feature_names: unknown; categorical: unknown; encoders: unknown }>(
    pool,
    'SELECT feature_names, categorical, encoders FROM feature_sets WHERE run_key = ?',
    [runKey],
  );
  if (!set) return undefined;
  const names = parseJsonValue<unknown>(set.feature_names);
  const categorical = parseJsonValue<unknown>(set.categorical);
  if (!Array.isArray(names) || names.length === 0) return undefined;
  const encoders = parseJsonValue<{ categories?: Record<string, string[]> } | null>(set.encoders);
  const categories = encoders?.categories ?? {};
  const frame = await sample(pool, runKey, { names: names.map(String), categories }, SAMPLE_ROWS);
  if (!frame) return undefined;
  return exploratoryFromRows({
    names: names.map(String),
    categorical: Array.isArray(categorical) ? categorical.map(Boolean) : names.map(() => false),
    categories,
    labels: frame.labels,
    columns: frame.columns,
    importance,
  });
}
