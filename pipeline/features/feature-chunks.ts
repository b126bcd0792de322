import type { Pool } from 'mysql2/promise';
import type { FeatureRole } from '../../db/schema/index.ts';

export interface FeatureChunk {
  ids: string[];
  /** Column-major, NaN = missing, like the whole-matrix readers'. */
  columns: Float64Array[];
  nRows: number;
  /**
   * The customer-value figures of scoring rows where the mode has them (VALUE_COLUMNS order,
   * NaN = none): the score step writes them beside each score.
   */
  value?: Float64Array[];
}

/** A slice of a role's rows in id order: ids after `after` ('' = from the first) up to `through` (null = the last). */
export interface FeatureRange {
  after: string;
  through: string | null;
}

/**
 * Reads one role's feature rows of a run in chunks of `chunkRows`, in the order the whole-matrix
 * reader of the same mode uses, so a caller scoring a million customers holds one chunk at a time.
 * With `range`, only that slice (one chunk of a step fanned out over several workers).
 */
export type FeaturePageReader = (
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
  range?: FeatureRange,
) => AsyncGenerator<FeatureChunk>;

/**
 * The ids that end each slice of `every` rows (the last slice ends at the last row, so it has no
 * entry): the boundaries of a fan-out. One keyset range scan per boundary.
 */
export type FeatureKeyBoundaries = (
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  every: number,
) => Promise<string[]>;

/** Labeled mode: boundaries in feature_rows' entity id order. */
export async function featureRowBoundaries(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  every: number,
): Promise<string[]> {
  const out: string[] = [];
  for (let after = ''; ;) {
    const [rows] = await pool.query({
      sql: 'SELECT entity_id FROM feature_rows WHERE run_key = ? AND role = ? AND entity_id > ? ORDER BY entity_id LIMIT 1 OFFSET ?',
      values: [runKey, role, after, every - 1],
      rowsAsArray: true,
    });
    const id = (rows as [string][])[0]?.[0];
    if (id === undefined) return out;
    const [more] = await pool.query({
      sql: 'SELECT 1 FROM feature_rows WHERE run_key = ? AND role = ? AND entity_id > ? LIMIT 1',
      values: [runKey, role, id],
    });
    if ((more as unknown[]).length === 0) return out;
    out.push(id);
    after = id;
  }
}

/** Labeled mode: the encoded vectors of feature_rows, in entity id order (readFeatureMatrix's). */
export async function* readFeatureChunks(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
  range: FeatureRange = { after: '', through: null },
): AsyncGenerator<FeatureChunk> {
  const until = range.through === null ? '' : ' AND entity_id <= ?';
  // Keyset paging on the primary key (run_key, role, entity_id): every page is a short range scan.
  const fetchPage = async (after: string): Promise<[string, Buffer][]> => {
    const [rows] = await pool.query({
      sql: `SELECT entity_id, vec FROM feature_rows WHERE run_key = ? AND role = ? AND entity_id > ?${until} ORDER BY entity_id LIMIT ?`,
      values: [runKey, role, after, ...(range.through === null ? [] : [range.through]), chunkRows],
      rowsAsArray: true,
    });
    return rows as [string, Buffer][];
  };
  let pending: Promise<[string, Buffer][]> | null = fetchPage(range.after);
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
