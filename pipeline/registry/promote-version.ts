import { desc, eq } from 'drizzle-orm';
import type { Pool } from 'mysql2/promise';
import { modelDecisions, modelVersions } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { readAlias, setAlias } from './aliases.ts';

/** A promotion that cannot be done as asked (unknown version, already champion). */
export class PromoteError extends Error {
  override name = 'PromoteError';
}

export interface ManualPromotion {
  pipeline: string;
  version: number;
  previous: number | null;
  decisionId: number;
  reason: string;
}

const metricOf = (metrics: unknown, key: string): number | null => {
  const m = metrics as Record<string, unknown> | null;
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/**
 * `cpd promote`: a person makes a version champion, whatever the rule said. Recorded in the
 * decision trail with who and why, and with each model's figure from its own run's validation,
 * labelled as such: they were not measured on the same rows.
 */
export async function promoteVersion(
  pool: Pool,
  versionId: number,
  actor: string,
  why: string | undefined,
): Promise<ManualPromotion> {
  return inTransaction(pool, async (_conn, tx) => {
    const [version] = await tx
      .select({
        id: modelVersions.id,
        pipeline: modelVersions.pipeline,
        metrics: modelVersions.metrics,
        runKey: modelVersions.runKey,
      })
      .from(modelVersions)
      .where(eq(modelVersions.id, versionId));
    if (!version) throw new PromoteError(`no model version ${versionId}: see \`cpd models\``);
    const previous = await readAlias(tx, version.pipeline, 'champion', true);
    if (previous === versionId)
      throw new PromoteError(`v${versionId} is already the champion of ${version.pipeline}`);
    const [last] = await tx
      .select({ metric: modelDecisions.metric })
      .from(modelDecisions)
      .where(eq(modelDecisions.pipeline, version.pipeline))
      .orderBy(desc(modelDecisions.id))
      .limit(1);
    const metric = last?.metric ?? 'rocAuc';
    const [before] =
      previous === null
        ? []
        : await tx
            .select({ metrics: modelVersions.metrics })
            .from(modelVersions)
            .where(eq(modelVersions.id, previous));
    const mine = metricOf(version.metrics, metric);
    const theirs = before ? metricOf(before.metrics, metric) : null;
    const show = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
    const figures =
      previous === null
        ? `${metric} ${show(mine)} on ${version.runKey}`
        : `${metric} v${versionId} ${show(mine)} (on ${version.runKey}) vs v${previous} ${show(theirs)} (on its own run), not the same rows`;
    const reason = `manual promotion by ${actor}: ${why?.trim() || 'no reason given'}; ${previous === null ? 'no champion before' : `replaces v${previous}`}; ${figures}`;
    await setAlias(tx, version.pipeline, 'champion', versionId);
    const [ins] = await tx
      .insert(modelDecisions)
      .values({
        pipeline: version.pipeline,
        runKey: null,
        challengerVersion: versionId,
        championVersion: previous,
        resultVersion: versionId,
        metric,
        challengerValue: mine,
        championValue: theirs,
        rule: 'manual override (cpd promote)',
        compared: null,
        promoted: true,
        reason,
        decidedBy: 'user',
        actor,
      })
      .$returningId();
    return { pipeline: version.pipeline, version: versionId, previous, decisionId: ins!.id, reason };
  });
}
