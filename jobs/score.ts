import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { featureSets, pipelineRuns } from '../db/schema/index.ts';
import { degradedCleared, runDegraded } from '../ledger/run-ledger.ts';
import { modeOf } from '../modes/index.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { publishScores } from '../pipeline/publish/publish-scores.ts';
import { refreshScoreViews } from '../pipeline/publish/refresh-views.ts';
import { spoolScores } from '../pipeline/publish/spool-scores.ts';
import { verifyPublication } from '../pipeline/publish/verify-publication.ts';
import { readKnownOutcomeScores } from '../pipeline/registry/known-outcome-scores.ts';
import { loadScoringModel } from '../pipeline/registry/model-store.ts';
import { ReasonWriter } from '../reports/reason-sentences.ts';
import { defineStep } from '../runner/step.ts';

/** pipeline_runs.error of a run degraded by this step starts with this, so a passing retry can clear it. */
const DEGRADED_PREFIX = 'score: publish blocked';

/**
 * score: every scoring row gets its probability, decile, segment and top reasons, streamed in
 * chunks (rows whose outcome is already known get their out-of-fold score from the train step and
 * are marked as known outcomes); the night is staged, checked by the pipeline's gates and published with one RENAME
 * (readers see last night's table or tonight's, never a mix). A blocked gate keeps yesterday's
 * table and marks the run degraded; the flow goes on so the report still tells why.
 */
export const score = defineStep({
  name: 'score',
  async handler({ run, db, pool, log, signal, progress }) {
    const [set] = await db.select().from(featureSets).where(eq(featureSets.runKey, run.runKey));
    if (!set) throw new PermanentError(`no feature set for ${run.runKey}: the features step has not run`);
    const { version, model } = await loadScoringModel(db, run.pipeline.name, run.runKey);
    if (set.featureNames.join('\u0000') !== model.featureNames.join('\u0000')) {
      throw new PermanentError(
        `model v${version.version} was trained on other features than the feature set of ${run.runKey}`,
      );
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cpd-score-'));
    const conn = await pool.getConnection();
    try {
      const { chunkRows, reasons } = run.pipeline.scoring;
      const timings: Record<string, number> = {};
      const spoolStarted = performance.now();
      const spool = await spoolScores(path.join(dir, 'scores.jsonl'), {
        pool,
        readPages: modeOf(run.pipeline).readFeaturePages,
        runKey: run.runKey,
        model,
        expectedRows: set.rowsScore,
        chunkRows,
        reasons,
        knownOutcomes: await readKnownOutcomeScores(pool, run.runKey),
        explain: new ReasonWriter({
          names: set.featureNames,
          categorical: set.categorical,
          categories: (set.encoders as { categories?: Record<string, string[]> } | null)?.categories ?? {},
          glossary: run.pipeline.brief.glossary,
        }),
        signal,
        // Scoring is most of the work: 0..80 %, staging and the swap the rest.
        onChunk: (done) => progress(Math.round((done / Math.max(1, set.rowsScore)) * 80)),
      });
      timings.scoreMs = Math.round(performance.now() - spoolStarted);
      const [ledger] = await db
        .select({ generation: pipelineRuns.generation })
        .from(pipelineRuns)
        .where(eq(pipelineRuns.runKey, run.runKey));
      const outcome = await publishScores({
        db,
        conn,
        generation: ledger?.generation ?? 1,
        pipeline: run.pipeline,
        spool,
        population: set.rowsScore,
        meta: {
          runKey: run.runKey,
          businessDate: run.businessDate,
          modelVersion: version.version,
          scoredAt: new Date(),
        },
        actor: `worker@${os.hostname()}`,
        timings,
      });
      // The invariant of every score step, whatever the outcome: analysts' view returns the published table.
      if (!(await verifyPublication(conn, run.pipeline.name)).ok) {
        await refreshScoreViews(conn);
        const again = await verifyPublication(conn, run.pipeline.name);
        if (!again.ok) throw new Error(again.problem);
        log.warn('customer_scores was stale and has been refreshed');
      }
      await progress(100);
      const details = { modelVersion: version.version, reasonsBase: spool.base, timings, ...outcome };
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
      return { rowsIn: spool.nRows, rowsOut: outcome.kind === 'blocked' ? 0 : spool.nRows, details };
    } finally {
      conn.release();
      await rm(dir, { recursive: true, force: true });
    }
  },
});
