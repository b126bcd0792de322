import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { modelVersions } from '../../db/schema/index.ts';
import { loadModel, type Model } from '../../ml/engine.ts';
import { PermanentError } from '../errors.ts';
import { readAlias } from './aliases.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export type ModelVersion = typeof modelVersions.$inferSelect;

export async function packModel(model: Model): Promise<Buffer> {
  return gzipAsync(Buffer.from(model.serialize(), 'utf8'));
}

export async function unpackModel(version: ModelVersion): Promise<Model> {
  return loadModel((await gunzipAsync(version.model)).toString('utf8'));
}

/** The model trained by a run, loaded back into memory. */
export async function loadRunModel(db: Db, runKey: string): Promise<{ version: ModelVersion; model: Model }> {
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.runKey, runKey));
  if (!version) throw new PermanentError(`no model for ${runKey}: the train step has not run`);
  return { version, model: await unpackModel(version) };
}

/**
 * The model tonight's scores come from: the pipeline's champion, as the evaluate step's
 * promotion decision (or `cpd promote`) left it. Never the run's own model by default: a
 * challenger that lost or failed the floor must not reach the published table.
 */
export async function loadScoringModel(
  db: Db,
  pipeline: string,
  runKey: string,
): Promise<{ version: ModelVersion; model: Model }> {
  const championId = await readAlias(db, pipeline, 'champion');
  if (championId === null) {
    throw new PermanentError(
      `model gate: pipeline ${pipeline} has no champion model to score ${runKey} with; see \`cpd models ${pipeline}\``,
    );
  }
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.id, championId));
  if (!version)
    throw new PermanentError(
      `model gate: the champion of ${pipeline} is v${championId}, which is not in model_versions`,
    );
  return { version, model: await unpackModel(version) };
}
