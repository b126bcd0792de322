import type { Pool } from 'mysql2/promise';
import type { FeatureRole } from '../db/schema/index.ts';

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
  let last = '';
  for (;;) {
    // Keyset paging on the primary key (run_key, role, entity_id): every page is a short range scan.
    const [rows] = await pool.query({
      sql: 'SELECT entity_id, vec FROM feature_rows WHERE run_key = ? AND role = ? AND entity_id > ? ORDER BY entity_id LIMIT ?',
      values: [runKey, role, last, chunkRows],
      rowsAsArray: true,
    });
    const page = rows as [string, Buffer][];
    if (page.length === 0) return;
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
    last = page[page.length - 1]![0];
    yield { ids, columns, nRows: page.length };
    if (page.length < chunkRows) return;
  }
}
