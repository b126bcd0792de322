import { and, desc, eq } from 'drizzle-orm';
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
  /** Numbers within the pipeline (v3), as `cpd models` lists them. */
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
  /** The version's number within the pipeline; the pipeline may be left out when only one has that number. */
  target: { pipeline?: string | undefined; number: number },
  actor: string,
  why: string | undefined,
): Promise<ManualPromotion> {
  return inTransaction(pool, async (_conn, tx) => {
    const matches = await tx
      .select({
        id: modelVersions.id,
        version: modelVersions.version,
        pipeline: modelVersions.pipeline,
        metrics: modelVersions.metrics,
        runKey: modelVersions.runKey,
      })
      .from(modelVersions)
      .where(
        and(
          eq(modelVersions.version, target.number),
          target.pipeline === undefined ? undefined : eq(modelVersions.pipeline, target.pipeline),
        ),
      );
    const v = `v${target.number}`;
    if (matches.length === 0)
      throw new PromoteError(
        `no model version ${v}${target.pipeline ? ` of ${target.pipeline}` : ''}: see \`cpd models${target.pipeline ? ` ${target.pipeline}` : ''}\``,
      );
    if (matches.length > 1)
      throw new PromoteError(
        `${v} exists in ${matches.length} pipelines (${matches.map((m) => m.pipeline).join(', ')}): name one, e.g. cpd promote ${matches[0]!.pipeline} ${v}`,
      );
    const version = matches[0]!;
    const versionId = version.id;
    const previous = await readAlias(tx, version.pipeline, 'champion', true);
    if (previous === versionId) throw new PromoteError(`${v} is already the champion of ${version.pipeline}`);
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
            .select({ metrics: modelVersions.metrics, version: modelVersions.version })
            .from(modelVersions)
            .where(eq(modelVersions.id, previous));
    const mine = metricOf(version.metrics, metric);
    const theirs = before ? metricOf(before.metrics, metric) : null;
    const show = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
    const figures =
      previous === null
        ? `${metric} ${show(mine)} on ${version.runKey}`
        : `${metric} ${v} ${show(mine)} (on ${version.runKey}) vs v${before?.version ?? '?'} ${show(theirs)} (on its own run), not the same rows`;
    const reason = `manual promotion by ${actor}: ${why?.trim() || 'no reason given'}; ${previous === null ? 'no champion before' : `replaces v${before?.version ?? '?'}`}; ${figures}`;
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
    return {
      pipeline: version.pipeline,
      version: version.version,
      previous: previous === null ? null : (before?.version ?? null),
      decisionId: ins!.id,
      reason,
    };
  });
}
