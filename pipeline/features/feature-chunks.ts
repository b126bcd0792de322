import type { Pool } from 'mysql2/promise';
import type { FeatureRole } from '../../db/schema/index.ts';
import { readCustomerFeaturePages, type CustomerFeatureLayout } from './read-customer-features.ts';

export interface FeatureChunk {
  ids: string[];
  /** Column-major, NaN = missing, like readFeatureMatrix's. */
  columns: Float64Array[];
  nRows: number;
}

/**
 * Reads one role's feature vectors of a run in chunks of `chunkRows`, in entity id order (the
 * order readFeatureMatrix uses), so a caller scoring a million customers holds one chunk at a time.
 */
export async function* readFeatureChunks(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
): AsyncGenerator<FeatureChunk> {
  const [sets] = await pool.query('SELECT encoders FROM feature_sets WHERE run_key = ?', [runKey]);
  const encoders = (sets as { encoders: unknown }[])[0]?.encoders;
  const layout = (typeof encoders === 'string' ? JSON.parse(encoders) : encoders) as { layout?: string } | undefined;
  if (layout?.layout === 'customer_features') {
    // Transactions mode keeps its features in typed columns of customer_features, not in vectors.
    const query = async (text: string, params: unknown[]) => (await pool.query(text, params))[0] as Record<string, unknown>[];
    for await (const page of readCustomerFeaturePages(query, runKey, role, layout as CustomerFeatureLayout, { chunkRows })) {
      if (page.columns.length !== nFeatures) throw new Error(`customer_features ${runKey}/${role}: ${page.columns.length} features, the model expects ${nFeatures}`);
      yield { ids: page.ids, columns: page.columns, nRows: page.nRows };
    }
    return;
  }
  // Keyset paging on the primary key (run_key, role, entity_id): every page is a short range scan.
  const fetchPage = async (after: string): Promise<[string, Buffer][]> => {
    const [rows] = await pool.query({
      sql: 'SELECT entity_id, vec FROM feature_rows WHERE run_key = ? AND role = ? AND entity_id > ? ORDER BY entity_id LIMIT ?',
      values: [runKey, role, after, chunkRows],
      rowsAsArray: true,
    });
    return rows as [string, Buffer][];
  };
  let pending: Promise<[string, Buffer][]> | null = fetchPage('');
  while (pending) {
    const page: [string, Buffer][] = await pending;
    if (page.length === 0) return;
    // The next page is read while the caller scores this one: MySQL and the scorer work at the same time.
    pending = page.length === chunkRows ? fetchPage(page[page.length - 1]![0]) : null;
    // An abandoned generator must not leave the prefetch's rejection unhandled.
    pending?.catch(() => undefined);
    const columns = Array.from({ length: nFeatures }, () => new Float64Array(page.length));
    const ids: string[] = new Array<string>(page.length);
    for (let r = 0; r < page.length; r++) {
      const [id, vec] = page[r]!;
      if (vec.byteLength !== nFeatures * 8)
        throw new Error(
          `feature_rows ${runKey}/${role}/${id}: vector of ${vec.byteLength / 8} values, expected ${nFeatures}`,
        );
      for (let j = 0; j < nFeatures; j++) columns[j]![r] = vec.readDoubleLE(j * 8);
      ids[r] = id;
    }
    yield { ids, columns, nRows: page.length };
  }
}
