import type { Pool } from 'mysql2/promise';
import type { Exploratory } from '../render/report-data.ts';
import { exploratoryFromRows } from './exploratory-from-rows.ts';
import { parseJson, queryRows } from './query-rows.ts';

/** A sample this size gives rates and histograms to well under a percentage point, in ~100 ms. */
const SAMPLE_ROWS = 50_000;

/**
 * The exploratory section from the run's labeled feature rows (train + validation). The feature
 * rows are the one shape every mode produces (labeled: the encoded table; transactions: one row
 * per customer), so the section works for any pipeline without knowing its columns.
 */
export async function gatherExploratory(pool: Pool, runKey: string, importance: string[]): Promise<Exploratory | undefined> {
  const [set] = await queryRows<{ feature_names: unknown; categorical: unknown; encoders: unknown }>(
    pool,
    'SELECT feature_names, categorical, encoders FROM feature_sets WHERE run_key = ?',
    [runKey],
  );
  if (!set) return undefined;
  const names = parseJson(set.feature_names);
  const categorical = parseJson(set.categorical);
  if (!Array.isArray(names) || names.length === 0) return undefined;
  const encoders = parseJson(set.encoders) as { categories?: Record<string, string[]>; layout?: string } | undefined;
  const categories = encoders?.categories ?? {};
  const frame =
    encoders?.layout === 'customer_features'
      ? await customerFeatureColumns(pool, runKey, names.map(String), categories)
      : await vectorColumns(pool, runKey, names.length);
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

interface Columns {
  labels: Uint8Array;
  columns: Float64Array[];
}

/** Labeled mode: encoded vectors, Float64 little-endian (a driver Buffer may not be 8-byte aligned). */
async function vectorColumns(pool: Pool, runKey: string, width: number): Promise<Columns> {
  const rows = await queryRows<{ label: number | null; vec: Buffer }>(
    pool,
    `SELECT label, vec FROM feature_rows WHERE run_key = ? AND role IN ('train', 'valid') AND label IS NOT NULL LIMIT ${SAMPLE_ROWS}`,
    [runKey],
  );
  const columns = Array.from({ length: width }, () => new Float64Array(rows.length));
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, r) => {
    labels[r] = row.label === 1 ? 1 : 0;
    for (let c = 0; c < width && (c + 1) * 8 <= row.vec.length; c++) columns[c]![r] = row.vec.readDoubleLE(c * 8);
  });
  return { labels, columns };
}

/** Transactions mode: typed columns of customer_features, one row per customer and cutoff. */
async function customerFeatureColumns(pool: Pool, runKey: string, names: string[], categories: Record<string, string[]>): Promise<Columns | undefined> {
  // Names come from our own feature set, but they are spliced into SQL: only plain identifiers pass.
  if (!names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) return undefined;
  const rows = await queryRows<Record<string, unknown>>(
    pool,
    `SELECT label, ${names.map((n) => `\`${n}\``).join(', ')} FROM customer_features
      WHERE run_key = ? AND role IN ('train', 'valid') AND label IS NOT NULL LIMIT ${SAMPLE_ROWS}`,
    [runKey],
  );
  const codes = names.map((n) => new Map((categories[n] ?? []).map((v, i) => [v, i])));
  const columns = names.map((n, c) =>
    Float64Array.from(rows, (row) => {
      const v = row[n];
      if (v === null || v === undefined) return Number.NaN;
      return n in categories ? (codes[c]!.get(String(v)) ?? Number.NaN) : Number(v);
    }),
  );
  return { labels: Uint8Array.from(rows, (row) => (Number(row.label) === 1 ? 1 : 0)), columns };
}
