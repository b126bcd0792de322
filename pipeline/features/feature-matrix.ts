import { and, asc, eq, gt } from 'drizzle-orm';
import { type FeatureRole, featureRows, featureSets } from '../../db/schema/index.ts';
import { PermanentError } from '../errors.ts';
import type { FeatureMatrix, FeatureStore } from './feature-matrix-type.ts';

/** Rows per query: decoding a page runs on the worker's main thread, so a page stays a few tens of ms. */
const CHUNK = 5_000;

/**
 * Labeled mode: reads one role's encoded vectors of a run (feature_rows) into column-major arrays,
 * in entity id order.
 */
export async function readFeatureMatrix(
  { db }: FeatureStore,
  runKey: string,
  role: FeatureRole,
): Promise<FeatureMatrix> {
  const [set] = await db.select().from(featureSets).where(eq(featureSets.runKey, runKey));
  if (!set) throw new PermanentError(`no feature set for ${runKey}: the features step has not run`);
  const names = set.featureNames;
  const total = role === 'train' ? set.rowsTrain : role === 'valid' ? set.rowsValid : set.rowsScore;
  const columns = names.map(() => new Float64Array(total));
  const labels = new Uint8Array(total);
  const ids: string[] = [];
  let last = '';
  let r = 0;
  for (;;) {
    const chunk = await db
      .select({ id: featureRows.entityId, label: featureRows.label, vec: featureRows.vec })
      .from(featureRows)
      .where(and(eq(featureRows.runKey, runKey), eq(featureRows.role, role), gt(featureRows.entityId, last)))
      .orderBy(asc(featureRows.entityId))
      .limit(CHUNK);
    if (chunk.length === 0) break;
    last = chunk[chunk.length - 1]!.id;
    for (const row of chunk) {
      if (r >= total)
        throw new Error(
          `feature_rows for ${runKey}/${role} hold more rows than feature_sets says (${total})`,
        );
      const vec = new Float64Array(
        row.vec.buffer.slice(row.vec.byteOffset, row.vec.byteOffset + row.vec.byteLength),
      );
      for (let j = 0; j < names.length; j++) columns[j]![r] = vec[j]!;
      labels[r] = row.label === 1 ? 1 : 0;
      ids.push(row.id);
      r++;
    }
  }
  if (r !== total)
    throw new Error(`feature_rows for ${runKey}/${role}: read ${r}, feature_sets says ${total}`);
  return { featureNames: names, categorical: set.categorical, ids, labels, columns, nRows: r };
}
