import type { FeatureMatrix } from '../feature-matrix.ts';
import { categoricalFeatures, customerFeatureNames } from './customer-feature-sql.ts';

/** Runs one parameterised query; a pool, a transaction's connection or drizzle behind a format(). */
export type QueryRows = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** What feature_sets.encoders holds for transactions mode. */
export interface CustomerFeatureLayout {
  layout: 'customer_features';
  categories: Record<string, string[]>;
  cutoffs: Record<'train' | 'valid' | 'score', string[]>;
}

const CHUNK = 20_000;

/**
 * Reads one role of a run from customer_features into column-major arrays, by cutoff then customer
 * id (keyset pages on the primary key). Score rows are identified by customer id; training and
 * validation rows by `customer@cutoff` (a customer appears once per snapshot). `sampleEvery` > 1
 * keeps the customers whose CRC32 falls in 1/sampleEvery: the same customers on every run.
 */
export async function readCustomerFeatures(
  query: QueryRows,
  runKey: string,
  role: 'train' | 'valid' | 'score',
  layout: CustomerFeatureLayout,
  sampleEvery = 1,
): Promise<FeatureMatrix> {
  const names = [...customerFeatureNames];
  const codes = names.map((n) => (categoricalFeatures.has(n) ? new Map((layout.categories[n] ?? []).map((v, i) => [v, i])) : null));
  const cols: number[][] = names.map(() => []);
  const labels: number[] = [];
  const ids: string[] = [];
  const sample = sampleEvery > 1 ? ` AND CRC32(customer_id) % ${Math.floor(sampleEvery)} = 0` : '';
  for (const cutoff of layout.cutoffs[role]) {
    let last = '';
    for (;;) {
      const rows = await query(
        `SELECT customer_id, label, ${names.join(', ')} FROM customer_features
         WHERE run_key = ? AND role = ? AND cutoff = ? AND customer_id > ?${sample} ORDER BY customer_id LIMIT ${CHUNK}`,
        [runKey, role, cutoff, last],
      );
      if (rows.length === 0) break;
      last = String(rows[rows.length - 1]!.customer_id);
      for (const row of rows) {
        ids.push(role === 'score' ? String(row.customer_id) : `${String(row.customer_id)}@${cutoff}`);
        labels.push(Number(row.label) === 1 ? 1 : 0);
        names.forEach((n, j) => {
          const v = row[n];
          const code = codes[j];
          cols[j]!.push(v === null || v === undefined ? NaN : code ? (code.get(String(v)) ?? NaN) : Number(v));
        });
      }
    }
  }
  return {
    featureNames: names,
    categorical: names.map((n) => categoricalFeatures.has(n)),
    ids,
    labels: Uint8Array.from(labels),
    columns: cols.map((c) => Float64Array.from(c)),
    nRows: ids.length,
  };
}
