import { and, asc, eq, gt, sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import type { Db } from '../../db/client.ts';
import { featureRows, featureSets, type FeatureRole } from '../../db/schema/index.ts';
import { PermanentError } from '../errors.ts';
import { readCustomerFeatures, type CustomerFeatureLayout } from './read-customer-features.ts';

export interface FeatureMatrix {
  featureNames: string[];
  categorical: boolean[];
  ids: string[];
  labels: Uint8Array;
  /** Column-major, NaN = missing: the layout the forest trains and predicts on. */
  columns: Float64Array[];
  nRows: number;
}

const CHUNK = 20_000;

/** Reads one role's feature vectors of a run into column-major arrays, in entity id order. */
export async function readFeatureMatrix(db: Db, runKey: string, role: FeatureRole): Promise<FeatureMatrix> {
  const [set] = await db.select().from(featureSets).where(eq(featureSets.runKey, runKey));
  if (!set) throw new PermanentError(`no feature set for ${runKey}: the features step has not run`);
  const encoders = parseJson<{ layout?: string }>(set.encoders);
  // Transactions mode keeps its features in typed columns (built by set-based SQL), not in vectors.
  if (encoders.layout === 'customer_features') return readCustomerFeatures(drizzleQuery(db), runKey, role, encoders as CustomerFeatureLayout);
  const names = parseJson<string[]>(set.featureNames);
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
      if (r >= total) throw new Error(`feature_rows for ${runKey}/${role} hold more rows than feature_sets says (${total})`);
      const vec = new Float64Array(row.vec.buffer.slice(row.vec.byteOffset, row.vec.byteOffset + row.vec.byteLength));
      for (let j = 0; j < names.length; j++) columns[j]![r] = vec[j]!;
      labels[r] = row.label === 1 ? 1 : 0;
      ids.push(row.id);
      r++;
    }
  }
  if (r !== total) throw new Error(`feature_rows for ${runKey}/${role}: read ${r}, feature_sets says ${total}`);
  return { featureNames: names, categorical: parseJson<boolean[]>(set.categorical), ids, labels, columns, nRows: r };
}

function drizzleQuery(db: Db) {
  return async (text: string, params: unknown[]) => {
    const [rows] = (await db.execute(sql.raw(mysql.format(text, params as never)))) as unknown as [Record<string, unknown>[]];
    return rows;
  };
}

function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
