import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { modelAliases, type ModelAliasName } from '../../db/schema/index.ts';

/** A connection or an open transaction: alias reads and writes take part in the caller's transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** The version an alias points to; `lock` holds the row (FOR UPDATE) until the transaction ends. */
export async function readAlias(
  db: DbOrTx,
  pipeline: string,
  alias: ModelAliasName,
  lock = false,
): Promise<number | null> {
  const query = db
    .select({ versionId: modelAliases.versionId })
    .from(modelAliases)
    .where(and(eq(modelAliases.pipeline, pipeline), eq(modelAliases.alias, alias)));
  const [row] = lock ? await query.for('update') : await query;
  return row?.versionId ?? null;
}

export async function setAlias(
  db: DbOrTx,
  pipeline: string,
  alias: ModelAliasName,
  versionId: number,
): Promise<void> {
  await db
    .insert(modelAliases)
    .values({ pipeline, alias, versionId })
    .onDuplicateKeyUpdate({ set: { versionId, updatedAt: sql`CURRENT_TIMESTAMP(3)` } });
}
