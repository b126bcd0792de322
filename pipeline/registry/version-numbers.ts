import { inArray } from 'drizzle-orm';
import { modelVersions } from '../../db/schema/index.ts';
import type { DbOrTx } from './aliases.ts';

/** Version ids to their numbers within the pipeline (what people read: v3). */
export async function versionNumbers(db: DbOrTx, ids: (number | null)[]): Promise<Map<number, number>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: modelVersions.id, version: modelVersions.version })
    .from(modelVersions)
    .where(inArray(modelVersions.id, wanted));
  return new Map(rows.map((r) => [r.id, r.version]));
}
