import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorePublications, scorePublishState, stepRuns } from '../db/schema/index.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { scoringPipeline, seedScoringNight } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const N = 2_000;

/**
 * The score step's worker dies (SIGKILL, through a fault point) at the worst moments of the
 * publish: right after the RENAME put tonight's table in place, and right after the views were
 * refreshed but before the publication was logged. The redelivered job finishes the publish.
 */
describe('fault points in publish: a retry finishes every phase left', () => {
  let t: TestEnv;
  let queues: Queues;
  let model: Model;
  const workers: CpdProcess[] = [];

  beforeAll(async () => {
    // A short lock so the dead worker's job is redelivered within seconds.
    t = await createTestEnv('faultpub', { CPD_LOCK_DURATION_MS: '5000', CPD_STALLED_INTERVAL_MS: '2000' });
    queues = createQueues(t.config);
    model = await trainModel(
      makeSynthetic({ nRows: 1_000, seed: 3 }),
      { nTrees: 10, maxDepth: 8, seed: 1 },
      {
        threads: 1,
      },
    );
  });

  afterAll(async () => {
    await queues?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await t?.cleanup();
  });

  async function viewRows(): Promise<number> {
    const [rows] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'shop'",
    );
    return Number((rows as { n: number }[])[0]!.n);
  }

  /** Seeds a night, runs its score job on a worker armed with `fault`, and returns once that worker has died. */
  async function crashAt(fault: string, runKey: string, date: string, seed: number): Promise<CpdProcess> {
    const d = makeSynthetic({ nRows: N, seed });
    await seedScoringNight(t.database, scoringPipeline('shop'), {
      runKey,
      businessDate: date,
      ids: Array.from({ length: N }, (_, i) => `c${i}`),
      columns: d.columns,
      model,
    });
    const doomed = spawnCpd(['worker', '--queues', 'score'], { ...t.env, CPD_FAULT: fault });
    workers.push(doomed);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.child.once('exit', (_c, s) => resolve(s)),
    );
    await queues
      .queue('score')
      .add('score', { runKey, step: 'score' }, { jobId: `${runKey}.g1.score`, attempts: 3 });
    expect(await exited, doomed.output()).toBe('SIGKILL');
    expect(doomed.output()).toContain(`fault point ${fault} fired`);
    return doomed;
  }

  async function scoreSucceeded(runKey: string) {
    return waitFor(
      `score of ${runKey} to succeed after the crash`,
      async () =>
        (
          await t.database.db
            .select()
            .from(stepRuns)
            .where(
              and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score'), eq(stepRuns.status, 'succeeded')),
            )
        )[0],
      60_000,
      100,
    );
  }

  it('crash after the RENAME of the first night: customer_scores returns tonight rows after the retry', async () => {
    const runKey = 'shop@2026-11-01';
    await crashAt('score.after-rename', runKey, '2026-11-01', 5);
    // The window was hit: tonight's table is in place, the view still names the empty template.
    const [tbl] = await t.database.pool.query('SELECT COUNT(*) AS n FROM `scores_shop`');
    expect(Number((tbl as { n: number }[])[0]!.n)).toBe(N);
    expect(await viewRows()).toBe(0);
    // `cpd status` says so meanwhile.
    const status = await runCpd(['status', runKey], t.env, 60_000);
    expect(status.stdout).toMatch(
      /WARNING: customer_scores returns 0 rows .* for the first and last customers of scores_shop, which holds 2000 rows/,
    );

    workers.push(spawnCpd(['worker', '--queues', 'score'], t.env));
    await scoreSucceeded(runKey);
    expect(await viewRows()).toBe(N);
    const [state] = await t.database.db
      .select()
      .from(scorePublishState)
      .where(eq(scorePublishState.runKey, runKey));
    expect(state?.phase).toBe('verified');
    const attempts = await t.database.db
      .select({ status: stepRuns.status, error: stepRuns.error })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score')));
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(attempts[0]?.error).toMatch(/interrupted/);
  }, 120_000);

  it('crash after the views of the next night: the retry resumes from its recorded phase and logs the publication once', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    const runKey = 'shop@2026-11-02';
    await crashAt('score.after-views', runKey, '2026-11-02', 6);
    const [state] = await t.database.db
      .select()
      .from(scorePublishState)
      .where(eq(scorePublishState.runKey, runKey));
    expect(state?.phase).toBe('swapped');
    workers.push(spawnCpd(['worker', '--queues', 'score'], t.env));
    const done = await scoreSucceeded(runKey);
    expect((done.details as { resumed?: boolean }).resumed).toBe(true);
    expect(await viewRows()).toBe(N);
    const [prev] = await t.database.pool.query(
      "SELECT COUNT(*) AS n, MIN(run_key) AS r FROM customer_scores_prev WHERE pipeline = 'shop'",
    );
    expect((prev as { n: number; r: string }[])[0]).toMatchObject({ n: N, r: 'shop@2026-11-01' });
    const logged = await t.database.db
      .select()
      .from(scorePublications)
      .where(and(eq(scorePublications.runKey, runKey), eq(scorePublications.action, 'publish')));
    expect(logged).toHaveLength(1);
    expect(logged[0]?.replacedRunKey).toBe('shop@2026-11-01');
  }, 120_000);
});
