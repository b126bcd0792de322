import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { modelVersions } from '../../db/schema/index.ts';
import type { Model } from '../../ml/engine.ts';
import { PermanentError } from '../errors.ts';
import { readModel } from '../registry/model-store.ts';

/**
 * The last model a chunk loaded in this worker process: a worker taking several chunks of a night
 * reads and checks the model once. Keyed by the stored bytes' sha256 (and the version), so a
 * version whose model changed is read again.
 */
let cached: { key: string; model: Model; version: number } | undefined;

/** The model of `versionId`, as every chunk of a fan-out scores with the version its parent chose. */
export async function chunkModel(db: Db, versionId: number): Promise<{ model: Model; version: number }> {
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.id, versionId));
  if (!version)
    throw new PermanentError(`model version id ${versionId} chosen for this night is not in model_versions`);
  const key = `${version.id}/${version.modelSha256}`;
  if (cached?.key !== key) cached = { key, model: await readModel(db, version), version: version.version };
  return { model: cached.model, version: cached.version };
}
