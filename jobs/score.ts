import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Pipeline } from '../config/pipeline.ts';
import type { Db } from '../db/client.ts';
import { featureSets, pipelineRuns } from '../db/schema/index.ts';
import { degradedCleared, runDegraded } from '../ledger/run-ledger.ts';
import type { Model } from '../ml/engine.ts';
import { modeOf } from '../modes/index.ts';
import type { StepResult } from '../pipeline/context.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { chunkModel } from '../pipeline/publish/chunk-model.ts';
import { publishScores } from '../pipeline/publish/publish-scores.ts';
import { refreshScoreViews } from '../pipeline/publish/refresh-views.ts';
import { dropParts, partScores, partsSource, partTable, writePart } from '../pipeline/publish/score-parts.ts';
import { type SpooledScores, spoolScores } from '../pipeline/publish/spool-scores.ts';
import { type ScoreSource, spooledSource } from '../pipeline/publish/stage-scores.ts';
import { verifyPublication } from '../pipeline/publish/verify-publication.ts';
import { readKnownOutcomeScores } from '../pipeline/registry/known-outcome-scores.ts';
import { loadScoringModel } from '../pipeline/registry/model-store.ts';
import { ReasonWriter } from '../reports/reason-sentences.ts';
import { type ChunkContext, type ChunkSpec, defineStep, type StepContext } from '../runner/step.ts';

/** pipeline_runs.error of a run degraded by this step starts with this, so a passing retry can clear it. */
const DEGRADED_PREFIX = 'score: publish blocked';

type FeatureSet = typeof featureSets.$inferSelect;

/**
 * score: every scoring row gets its probability, decile, segment and top reasons; the night is
 * staged, checked by the pipeline's gates and published with one RENAME (readers see last night's
 * table or tonight's, never a mix). A night larger than `scoring.fanOutRows` fans out: chunks of
 * customers become child jobs any worker takes, each writing its own part table, and this job
 * publishes once every chunk succeeded. A blocked gate keeps yesterday's table and marks the run
 * degraded; the flow goes on so the report still tells why.
 */
export const score = defineStep({
  name: 'score',
  async handler(ctx) {
    const { run, db, pool } = ctx;
    const set = await featureSetOf(db, run.runKey);
    const { version, model } = await loadScoringModel(db, run.pipeline.name, run.runKey);
    checkFeatures(set, model, version.version);
    const generation = await generationOf(db, run.runKey);
    const { fanOutRows } = run.pipeline.scoring;
    if (set.rowsScore <= fanOutRows || !ctx.fanOut) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cpd-score-'));
      try {
        const started = performance.now();
        const spool = await spool1(ctx, set, model, path.join(dir, 'scores.tsv'), (done) =>
          // Scoring is most of the work: 0..80 %, staging and the swap the rest.
          ctx.progress(Math.round((done / Math.max(1, set.rowsScore)) * 80)),
        );
        const timings = { scoreMs: Math.round(performance.now() - started) };
        return await publish(ctx, spooledSource(spool, ctx.pool), {
          generation,
          modelVersion: version.version,
          rows: spool.nRows,
          timings,
          details: { reasonsBase: spool.base },
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    // Fan-out: boundaries every fanOutRows ids, the same on every delivery of this job.
    const ends = await modeOf(run.pipeline).featureKeyBoundaries(pool, run.runKey, 'score', fanOutRows);
    const chunks: ChunkSpec[] = [...ends, null].map((through, index, all) => ({
      index,
      count: all.length,
      after: index === 0 ? '' : ends[index - 1]!,
      through,
      rows: through === null ? set.rowsScore - ends.length * fanOutRows : fanOutRows,
      versionId: version.id,
    }));
    const outcomes = await ctx.fanOut(chunks);
    await ctx.progress(80);
    const parts = outcomes.map((o, i) => ({
      table: String(o.details.table),
      offset: i * fanOutRows,
      rows: o.rows,
    }));
    const conn = await pool.getConnection();
    try {
      const scores = await partScores(conn, parts);
      const timings = { scoreMs: Math.max(...outcomes.map((o) => o.ms ?? 0)) };
      const result = await publish(ctx, partsSource(parts, scores), {
        generation,
        modelVersion: version.version,
        rows: scores.length,
        timings,
        details: {
          reasonsBase: outcomes[0]?.details.base ?? null,
          chunks: outcomes.map(({ index, rows, worker, attempt, ms }) => ({
            index,
            rows,
            worker,
            attempt,
            ms,
          })),
        },
      });
      await dropParts(conn, parts);
      return result;
    } finally {
      conn.release();
    }
  },

  /** One chunk of a fanned-out night: its slice scored with the parent's model version, into its part table. */
  async chunk(ctx: ChunkContext) {
    const { run, db, pool, chunk } = ctx;
    const set = await featureSetOf(db, run.runKey);
    const { model, version } = await chunkModel(db, chunk.versionId);
    checkFeatures(set, model, version);
    const table = partTable(run.pipeline.name, run.runKey, await generationOf(db, run.runKey), chunk.index);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cpd-score-'));
    const conn = await pool.getConnection();
    try {
      const spool = await spool1(
        ctx,
        set,
        model,
        path.join(dir, 'scores.tsv'),
        (done) => ctx.progress(Math.round((done / Math.max(1, chunk.rows)) * 90)),
        chunk,
      );
      const rows = await writePart(conn, table, spool);
      return { index: chunk.index, rows, details: { table, base: spool.base } };
    } finally {
      conn.release();
      await rm(dir, { recursive: true, force: true });
    }
  },
});

async function featureSetOf(db: Db, runKey: string): Promise<FeatureSet> {
  const [set] = await db.select().from(featureSets).where(eq(featureSets.runKey, runKey));
  if (!set) throw new PermanentError(`no feature set for ${runKey}: the features step has not run`);
  return set;
}

function checkFeatures(set: FeatureSet, model: Model, version: number): void {
  if (set.featureNames.join('\u0000') !== model.featureNames.join('\u0000'))
    throw new PermanentError(
      `model v${version} was trained on other features than the feature set of ${set.runKey}`,
    );
}

async function generationOf(db: Db, runKey: string): Promise<number> {
  const [ledger] = await db
    .select({ generation: pipelineRuns.generation })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.runKey, runKey));
  return ledger?.generation ?? 1;
}

/**
 * Scores the night (or one chunk's slice) into a local spool. Reasons rank a customer's values
 * against the night's first page, also in a chunk that starts further on, so a fanned-out night
 * words its reasons exactly as one worker would.
 */
async function spool1(
  ctx: StepContext,
  set: FeatureSet,
  model: Model,
  file: string,
  onChunk: (done: number) => Promise<void>,
  chunk?: ChunkSpec,
): Promise<SpooledScores> {
  const { run, pool } = ctx;
  const { chunkRows, reasons } = run.pipeline.scoring;
  const readPages = modeOf(run.pipeline).readFeaturePages;
  const explain = new ReasonWriter({
    names: set.featureNames,
    categorical: set.categorical,
    categories: (set.encoders as { categories?: Record<string, string[]> } | null)?.categories ?? {},
    glossary: run.pipeline.brief.glossary,
  });
  if (chunk && chunk.index > 0) {
    const first = readPages(pool, run.runKey, 'score', model.featureNames.length, chunkRows);
    const page = await first.next();
    await first.return(undefined);
    if (!page.done) explain.observe(page.value.columns);
  }
  return spoolScores(file, {
    pool,
    readPages,
    runKey: run.runKey,
    model,
    expectedRows: chunk ? chunk.rows : set.rowsScore,
    chunkRows,
    reasons,
    knownOutcomes: await readKnownOutcomeScores(pool, run.runKey),
    explain,
    signal: ctx.signal,
    onChunk,
    range: chunk && { after: chunk.after, through: chunk.through },
  });
}

/** Publishes the staged night and keeps the invariants of every score step, whatever the outcome. */
async function publish(
  ctx: StepContext,
  source: ScoreSource,
  x: {
    generation: number;
    modelVersion: number;
    rows: number;
    timings: Record<string, number>;
    details: Record<string, unknown>;
  },
): Promise<StepResult> {
  const { run, db, pool, log } = ctx;
  const pipeline: Pipeline = run.pipeline;
  const conn = await pool.getConnection();
  try {
    const outcome = await publishScores({
      db,
      conn,
      pool,
      generation: x.generation,
      pipeline,
      source,
      population: source.scores.length,
      meta: {
        runKey: run.runKey,
        businessDate: run.businessDate,
        modelVersion: x.modelVersion,
        scoredAt: new Date(),
      },
      actor: `worker@${os.hostname()}`,
      timings: x.timings,
    });
    // The invariant of every score step, whatever the outcome: analysts' view returns the published table
    // (a publish checked it as its last phase: counting a million rows twice costs seconds).
    if (outcome.kind !== 'published' && !(await verifyPublication(conn, pipeline.name)).ok) {
      await refreshScoreViews(conn);
      const again = await verifyPublication(conn, pipeline.name);
      if (!again.ok) throw new Error(again.problem);
      log.warn('customer_scores was stale and has been refreshed');
    }
    await ctx.progress(100);
    const details = { modelVersion: x.modelVersion, ...x.details, timings: x.timings, ...outcome };
    if (outcome.kind === 'blocked') {
      const why = outcome.blocked.map((g) => g.message).join('; ');
      const kept = outcome.publishedRunKey
        ? `the scores of ${outcome.publishedRunKey} stay published`
        : 'no scores are published yet';
      await runDegraded(db, run.runKey, `${DEGRADED_PREFIX}: ${why}; ${kept}`);
      log.warn(
        { blocked: outcome.blocked, kept: outcome.publishedRunKey },
        "publish gate blocked: yesterday's scores stay",
      );
    } else {
      // A retry that passes the gates undoes this step's own degraded mark, never another step's.
      await degradedCleared(db, run.runKey, DEGRADED_PREFIX);
      if (outcome.kind === 'published' && outcome.warnings.length)
        log.warn({ warnings: outcome.warnings }, 'publish gate warnings');
    }
    return { rowsIn: x.rows, rowsOut: outcome.kind === 'blocked' ? 0 : x.rows, details };
  } finally {
    conn.release();
  }
}
