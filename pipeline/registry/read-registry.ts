import { desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { modelAliases, modelDecisions, modelVersions, type TrainingWindow } from '../../db/schema/index.ts';
import type { TrainSample } from './train-sample.ts';
import { versionNumbers } from './version-numbers.ts';

export interface RegistryVersion {
  /** The number within the pipeline people read and type (v3). */
  version: number;
  /** The internal id aliases and decisions refer to. */
  id: number;
  pipeline: string;
  runKey: string;
  createdAt: Date;
  engine: string;
  aliases: string[];
  /** Rows fitted on; trainSample says of how many when model.maxTrainRows capped them. */
  trainRows: number;
  trainSample: TrainSample | null;
  fitMs: number;
  rocAuc: number | null;
  prAuc: number | null;
  threshold: number | null;
  dataFingerprint: string;
  trainingWindow: TrainingWindow | null;
  params: unknown;
  /** Engine "auto": every candidate's validation figure (the chosen one marked). */
  candidates: { engine: string; value: number | null; chosen: boolean }[];
  /** Calibration method and ECE before/after on rows its calibrator did not see. */
  calibration: { method: string; eceBefore: number; eceAfter: number } | null;
  /** k-fold CV ROC-AUC mean ± sd, when the pipeline asked for it. */
  cvRocAuc: { mean: number; sd: number } | null;
}

/** A decision with its versions as numbers within the pipeline (the stored ids stay internal). */
export type RegistryDecision = typeof modelDecisions.$inferSelect;

const num = (m: Record<string, unknown> | null, k: string): number | null => {
  const v = m?.[k];
  return typeof v === 'number' ? v : null;
};
/** What `cpd models` shows: the latest versions (newest first) with their aliases, and the decision trail. */
export async function readRegistry(
  db: Db,
  pipeline: string | undefined,
  limit = 30,
): Promise<{ versions: RegistryVersion[]; decisions: RegistryDecision[] }> {
  const where = pipeline ? eq(modelVersions.pipeline, pipeline) : undefined;
  const rows = await db
    .select({
      id: modelVersions.id,
      version: modelVersions.version,
      pipeline: modelVersions.pipeline,
      runKey: modelVersions.runKey,
      createdAt: modelVersions.createdAt,
      engine: modelVersions.engine,
      trainRows: modelVersions.trainRows,
      fitMs: modelVersions.fitMs,
      metrics: modelVersions.metrics,
      threshold: modelVersions.threshold,
      dataFingerprint: modelVersions.dataFingerprint,
      trainingWindow: modelVersions.trainingWindow,
      params: modelVersions.params,
    })
    .from(modelVersions)
    .where(where)
    .orderBy(desc(modelVersions.id))
    .limit(limit);
  const ids = rows.map((r) => r.id);
  const aliases = ids.length
    ? await db.select().from(modelAliases).where(inArray(modelAliases.versionId, ids))
    : [];
  const versions = rows.map((r) => {
    const m = r.metrics as Record<string, unknown> | null;
    return {
      version: r.version,
      id: r.id,
      pipeline: r.pipeline,
      runKey: r.runKey,
      createdAt: r.createdAt,
      engine: r.engine,
      aliases: aliases.filter((a) => a.versionId === r.id && a.pipeline === r.pipeline).map((a) => a.alias),
      trainRows: r.trainRows,
      trainSample: (m?.trainSample as TrainSample | undefined) ?? null,
      fitMs: r.fitMs,
      rocAuc: num(m, 'rocAuc'),
      prAuc: num(m, 'prAuc'),
      threshold: r.threshold,
      dataFingerprint: r.dataFingerprint,
      trainingWindow: r.trainingWindow,
      params: r.params,
      candidates: Array.isArray(m?.candidates) ? (m.candidates as RegistryVersion['candidates']) : [],
      calibration: (m?.calibration as RegistryVersion['calibration'] | undefined) ?? null,
      cvRocAuc:
        ((m?.cv as { rocAuc?: { mean: number; sd: number } } | null)?.rocAuc as
          RegistryVersion['cvRocAuc'] | undefined) ?? null,
    };
  });
  const decisions = await db
    .select()
    .from(modelDecisions)
    .where(pipeline ? eq(modelDecisions.pipeline, pipeline) : undefined)
    .orderBy(desc(modelDecisions.id))
    .limit(limit);
  const numbers = await versionNumbers(
    db,
    decisions.flatMap((d) => [d.challengerVersion, d.championVersion, d.resultVersion]),
  );
  const label = (id: number | null) => (id === null ? null : (numbers.get(id) ?? id));
  return {
    versions,
    decisions: decisions.map((d) => ({
      ...d,
      challengerVersion: label(d.challengerVersion)!,
      championVersion: label(d.championVersion),
      resultVersion: label(d.resultVersion),
    })),
  };
}
