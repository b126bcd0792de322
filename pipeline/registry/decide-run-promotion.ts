import { eq } from 'drizzle-orm';
import type { Pool } from 'mysql2/promise';
import type { Logger } from '../../config/logger.ts';
import type { Pipeline } from '../../config/pipeline.ts';
import type { Db } from '../../db/client.ts';
import { type ComparedMetrics, modelDecisions, modelVersions } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { predictProbaOffThread } from '../../ml/engine.ts';
import { evaluateBinaryOffThread } from '../../ml/evaluate-off-thread.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { readAlias, setAlias } from './aliases.ts';
import { type HeadlineMetrics, headlineMetrics } from './headline-metrics.ts';
import { readModel } from './model-store.ts';
import { type Contender, decidePromotion, type PromotionOutcome } from './promotion.ts';
import { versionNumbers } from './version-numbers.ts';

export interface RunDecision extends PromotionOutcome {
  championVersion: number | null;
  /** The champion after the decision as people read it (its number in the pipeline). */
  resultNumber: number | null;
}

interface Args {
  db: Db;
  pool: Pool;
  pipeline: Pipeline;
  runKey: string;
  challenger: { id: number; metrics: HeadlineMetrics };
  /** The run reused an earlier run's version (same data and parameters): said in the reason. */
  reused?: boolean;
  valid: FeatureMatrix;
  log: Logger;
}

/**
 * Tonight's promotion decision: the champion is scored on the SAME validation rows as the
 * challenger, the pipeline's rule decides, the aliases move, and the decision is stored with
 * its reason. Idempotent per run key: a rerun compares against the champion the first attempt
 * saw (not against its own, already promoted, model) and replaces the run's decision row.
 */
export async function decideRunPromotion({
  db,
  pool,
  pipeline,
  runKey,
  challenger,
  reused = false,
  valid,
  log,
}: Args): Promise<RunDecision> {
  const rule = pipeline.promotion;
  const [prior] = await db.select().from(modelDecisions).where(eq(modelDecisions.runKey, runKey));
  const championId = prior ? prior.championVersion : await readAlias(db, pipeline.name, 'champion');
  const champion = championId === null ? null : await scoreChampion(db, championId, pipeline, valid);
  const numbers = await versionNumbers(db, [challenger.id, championId]);
  const label = (id: number) => `v${numbers.get(id) ?? id}`;
  const decided = decidePromotion({
    rule,
    challenger: {
      version: challenger.id,
      number: numbers.get(challenger.id),
      value: challenger.metrics[rule.metric],
    },
    champion: champion ? { ...champion.contender, number: numbers.get(champion.contender.version) } : null,
  });
  // Identical data, params and seed: no new version was fitted, so there is nothing to promote.
  const outcome = reused
    ? { ...decided, reason: `same data and parameters as ${label(challenger.id)}: reused; ${decided.reason}` }
    : decided;
  const compared: ComparedMetrics = {
    rows: valid.nRows,
    positives: valid.labels.reduce((s, y) => s + y, 0),
    challenger: challenger.metrics,
    champion: champion?.metrics ?? null,
  };
  const decision = await inTransaction(pool, async (_conn, tx) => {
    // Row lock on the alias: two nights of one pipeline deciding at once take turns.
    const current = await readAlias(tx, pipeline.name, 'champion', true);
    let { promoted, resultVersion, reason } = outcome;
    if (promoted && current !== null && current !== championId && current !== challenger.id) {
      // A later night or `cpd promote` moved the champion since this run first decided (a rerun of an old night).
      promoted = false;
      resultVersion = current;
      reason = `${reason}; not applied: the champion has moved to ${label(current)} since`;
    }
    if (promoted) await setAlias(tx, pipeline.name, 'champion', challenger.id);
    await setAlias(tx, pipeline.name, 'challenger', challenger.id);
    const row = {
      pipeline: pipeline.name,
      runKey,
      challengerVersion: challenger.id,
      championVersion: championId,
      resultVersion,
      metric: rule.metric,
      challengerValue: challenger.metrics[rule.metric],
      championValue: champion?.contender.value ?? null,
      rule: outcome.rule,
      compared,
      promoted,
      reason,
      decidedBy: 'auto' as const,
      actor: 'cpd evaluate',
    };
    await tx
      .insert(modelDecisions)
      .values(row)
      .onDuplicateKeyUpdate({ set: { ...row, decidedAt: new Date() } });
    if (resultVersion !== null && !numbers.has(resultVersion))
      for (const [id, n] of await versionNumbers(tx, [resultVersion])) numbers.set(id, n);
    const resultNumber = resultVersion === null ? null : (numbers.get(resultVersion) ?? resultVersion);
    return { ...outcome, promoted, resultVersion, resultNumber, reason, championVersion: championId };
  });
  log.info(
    { promoted: decision.promoted, champion: decision.resultNumber, reason: decision.reason },
    'promotion decision',
  );
  return decision;
}

/** The champion's figures on tonight's validation rows, or why it cannot be scored on them. */
async function scoreChampion(
  db: Db,
  id: number,
  pipeline: Pipeline,
  valid: FeatureMatrix,
): Promise<{ contender: Contender; metrics: HeadlineMetrics | null }> {
  const metric = pipeline.promotion.metric;
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.id, id));
  if (!version)
    return {
      contender: { version: id, value: null, unusable: `model id ${id} is no longer in model_versions` },
      metrics: null,
    };
  const model = await readModel(db, version);
  const index = new Map(valid.featureNames.map((name, i) => [name, i]));
  const missing = model.featureNames.filter((f) => !index.has(f));
  const added = valid.featureNames.filter((f) => !model.featureNames.includes(f));
  if (missing.length || added.length) {
    const list = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? `, … (${xs.length})` : '');
    const parts = [
      missing.length ? `missing tonight: ${list(missing)}` : '',
      added.length ? `new tonight: ${list(added)}` : '',
    ].filter(Boolean);
    return {
      contender: { version: id, value: null, unusable: `trained on other features; ${parts.join('; ')}` },
      metrics: null,
    };
  }
  // Same names, maybe another order: hand the champion its columns in its own order.
  const columns = model.featureNames.map((f) => valid.columns[index.get(f)!]!);
  const metrics = headlineMetrics(
    await evaluateBinaryOffThread(
      valid.labels,
      await predictProbaOffThread(model, columns),
      pipeline.model.threshold,
    ),
  );
  return { contender: { version: id, value: metrics[metric] }, metrics };
}
