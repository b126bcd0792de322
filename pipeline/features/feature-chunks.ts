import type { Pool } from 'mysql2/promise';
import type { FeatureRole } from '../../db/schema/index.ts';

export interface FeatureChunk {
  ids: string[];
  /** Column-major, NaN = missing, like the whole-matrix readers'. */
  columns: Float64Array[];
  nRows: number;
}

/**
 * Reads one role's feature rows of a run in chunks of `chunkRows`, in the order the whole-matrix
 * reader of the same mode uses, so a caller scoring a million customers holds one chunk at a time.
 */
export type FeaturePageReader = (
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
) => AsyncGenerator<FeatureChunk>;

/** Labeled mode: the encoded vectors of feature_rows, in entity id order (readFeatureMatrix's). */
export async function* readFeatureChunks(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
): AsyncGenerator<FeatureChunk> {
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
