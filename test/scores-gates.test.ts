import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOutbox, pipelineRuns, scorePublications, stepRuns } from '../db/schema/index.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, spawnCpd } from './helpers/processes.ts';
import { scoringPipeline, seedScoringNight } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

describe("publish gates: a blocked night keeps yesterday's table and degrades the run", () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let queues: Queues;
  let model: Model;

  beforeAll(async () => {
    t = await createTestEnv('scoresgate');
    worker = spawnCpd(['worker', '--queues', 'score,report'], t.env);
    queues = createQueues(t.config);
    model = await trainModel(
      makeSynthetic({ nRows: 2_000, seed: 4 }),
      { nTrees: 10, maxDepth: 8, seed: 1 },
      { threads: 1 },
    );
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.stop();
    await t?.cleanup();
  });

  async function runStepJob(runKey: string, step: 'score' | 'report') {
    await queues.queue(step).add(step, { runKey, step }, { jobId: `${runKey}.test.${step}`, attempts: 1 });
    return waitFor(`${step} of ${runKey}`, async () => {
      const [row] = await t.database.db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step)))
        .orderBy(desc(stepRuns.id))
        .limit(1);
      if (!row || row.status === 'running') return undefined;
      if (row.status !== 'succeeded')
        throw new Error(`${step} of ${runKey} failed: ${row.error}\n${worker.output()}`);
      return row;
    });
  }

  function night(runKey: string, n: number, seed: number) {
    const d = makeSynthetic({ nRows: n, seed });
    return {
      runKey,
      businessDate: runKey.split('@')[1]!,
      model,
      ids: Array.from({ length: n }, (_, i) => `k${i}`),
      columns: d.columns,
    };
  }

  it('a night that lost half its customers is not published; the run is degraded with the reason and still reported', async () => {
    const pipeline = scoringPipeline('gated', { gates: { rowCount: { minShareOfPrevious: 0.9 } } });
    await seedScoringNight(t.database, pipeline, night('gated@2026-11-10', 2_000, 1));
    await seedScoringNight(t.database, pipeline, night('gated@2026-11-11', 1_000, 2));
    await runStepJob('gated@2026-11-10', 'score');
    const [yesterday] = await t.database.pool.query(
      "SELECT run_key, COUNT(*) AS n, MAX(scored_at) AS at FROM customer_scores WHERE pipeline = 'gated' GROUP BY run_key",
    );

    const step = await runStepJob('gated@2026-11-11', 'score');
    expect(step.rowsOut).toBe(0);
    expect(step.details).toMatchObject({
      kind: 'blocked',
      publishedRunKey: 'gated@2026-11-10',
      blocked: [{ gate: 'rowCount', action: 'block', passed: false }],
    });

    const [still] = await t.database.pool.query(
      "SELECT run_key, COUNT(*) AS n, MAX(scored_at) AS at FROM customer_scores WHERE pipeline = 'gated' GROUP BY run_key",
    );
    expect(still).toEqual(yesterday);
    expect((still as { n: number }[])[0]!.n).toBe(2_000);
    const [staging] = await t.database.pool.query(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'scores_gated_next'",
    );
    expect(staging).toEqual([]);

    const [run] = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.runKey, 'gated@2026-11-11'));
    expect(run!.status).toBe('degraded');
    expect(run!.error).toBe(
      'score: publish blocked: 1000 rows against 2000 in the published run gated@2026-11-10 (50.0 %, minimum 90.0 %); the scores of gated@2026-11-10 stay published',
    );
    const [blocked] = await t.database.db
      .select()
      .from(scorePublications)
      .where(eq(scorePublications.action, 'blocked'));
    expect(blocked).toMatchObject({
      pipeline: 'gated',
      runKey: 'gated@2026-11-11',
      replacedRunKey: 'gated@2026-11-10',
      rows: 1_000,
    });

    // The flow goes on: the report mails the degraded night and leaves the run degraded.
    await runStepJob('gated@2026-11-11', 'report');
    const [after] = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.runKey, 'gated@2026-11-11'));
    expect(after!.status).toBe('degraded');
    expect(after!.error).toContain('1000 rows against 2000 in the published run gated@2026-11-10');
    expect(after!.finishedAt).not.toBeNull();
    const mails = await t.database.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.runKey, 'gated@2026-11-11'));
    // One report (stakeholders); the ops alert of a degraded night, if any, is a separate kind.
    expect(mails.filter((m) => m.kind === 'report')).toHaveLength(1);
  });
});
