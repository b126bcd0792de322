import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { modelVersions } from '../db/schema/index.ts';
import { loadModel, type Model } from '../ml/engine.ts';
import { PermanentError } from './errors.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export async function packModel(model: Model): Promise<Buffer> {
  return gzipAsync(Buffer.from(model.serialize(), 'utf8'));
}

/** The model trained by a run, loaded back into memory. */
export async function loadRunModel(db: Db, runKey: string): Promise<{ version: typeof modelVersions.$inferSelect; model: Model }> {
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.runKey, runKey));
  if (!version) throw new PermanentError(`no model for ${runKey}: the train step has not run`);
  const text = (await gunzipAsync(version.model)).toString('utf8');
  return { version, model: loadModel(text) };
}

/**
 * The model tonight's scores come from. For now the run's own model; the model registry
 * (champion/challenger) makes this the pipeline's champion.
 */
export async function loadScoringModel(db: Db, _pipeline: string, runKey: string): Promise<{ version: typeof modelVersions.$inferSelect; model: Model }> {
  return loadRunModel(db, runKey);
}
