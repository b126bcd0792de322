import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import {
  attemptFailed,
  createRun,
  degradedCleared,
  failedBeforeRestart,
  reopenedForRetry,
  rerunAsNewGeneration,
  runCancelled,
  runDegraded,
  runFailed,
  runFinished,
  runStarted,
  stalledOut,
  stepAttemptStarted,
  stepSucceeded,
} from '../ledger/run-ledger.ts';
import { scoringPipeline } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const WORKER = 'test-host:1';

/**
 * The run ledger's transitions on real MariaDB: each named function moves pipeline_runs and
 * step_runs only from the states its guard allows, and says whether the row changed.
 */
describe('run ledger', () => {
  let t: TestEnv;

  beforeAll(async () => {
    t = await createTestEnv('runledger');
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  const runRow = async (runKey: string) => {
    const [row] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    if (!row) throw new Error(`no ledger row for ${runKey}`);
    return row;
  };
  const attempts = (runKey: string) =>
    t.database.db.select().from(stepRuns).where(eq(stepRuns.runKey, runKey)).orderBy(asc(stepRuns.id));

  it('walks a run from creation through failure, retry, degradation and finish to a rerun', async () => {
    const { db } = t.database;
    const pipeline = scoringPipeline('walk');
    const runKey = 'walk@2026-03-01';

    expect(await createRun(db, runKey, '2026-03-01', pipeline)).toBe(true);
    expect(await createRun(db, runKey, '2026-03-01', pipeline), 'a double start creates nothing').toBe(false);
    expect(await runRow(runKey)).toMatchObject({
      status: 'pending',
      generation: 1,
      pipeline: 'walk',
      businessDate: '2026-03-01',
      params: pipeline,
      startedAt: null,
    });

    // First attempt of collect: the run is running from then on.
    const first = await stepAttemptStarted(db, { runKey, step: 'collect', attempt: 1, worker: WORKER });
    expect(await runStarted(db, runKey)).toBe(true);
    const { startedAt } = await runRow(runKey);
    expect(startedAt).toBeInstanceOf(Date);
    expect((await attempts(runKey))[0]).toMatchObject({
      id: first,
      step: 'collect',
      attempt: 1,
      status: 'running',
      worker: WORKER,
    });

    // Its worker died: the redelivered attempt records the first one as interrupted, the start time stays.
    const second = await stepAttemptStarted(db, { runKey, step: 'collect', attempt: 2, worker: WORKER });
    await runStarted(db, runKey);
    expect((await runRow(runKey)).startedAt).toEqual(startedAt);
    expect(await attempts(runKey)).toMatchObject([
      { id: first, status: 'failed', errorKind: 'transient', error: expect.stringContaining('interrupted') },
      { id: second, status: 'running' },
    ]);

    // The attempt fails for good, and so does the run; failing it again changes nothing.
    await attemptFailed(db, {
      runKey,
      step: 'collect',
      attempt: 2,
      worker: WORKER,
      stepRunId: second,
      error: 'bad header',
      permanent: true,
      durationMs: 12,
    });
    expect(await runFailed(db, runKey, 'collect', 'bad header')).toBe(true);
    expect(await runFailed(db, runKey, 'collect', 'again')).toBe(false);
    expect((await attempts(runKey))[1]).toMatchObject({
      status: 'failed',
      errorKind: 'permanent',
      error: 'bad header',
      durationMs: 12,
    });
    const failed = await runRow(runKey);
    expect(failed).toMatchObject({ status: 'failed', failedStep: 'collect', error: 'collect: bad header' });
    expect(failed.finishedAt).toBeInstanceOf(Date);

    // Resume retries the failed step of this generation (a stale generation is not reopened).
    expect(await reopenedForRetry(db, runKey, 2)).toBe(false);
    expect(await reopenedForRetry(db, runKey, 1)).toBe(true);
    expect(await runRow(runKey)).toMatchObject({
      status: 'running',
      error: null,
      failedStep: null,
      finishedAt: null,
    });

    const third = await stepAttemptStarted(db, { runKey, step: 'collect', attempt: 1, worker: WORKER });
    await stepSucceeded(db, third!, {
      durationMs: 40,
      rowsIn: 10,
      rowsOut: 9,
      rowsRejected: 1,
      details: { files: 1 },
    });
    expect((await attempts(runKey))[2]).toMatchObject({
      status: 'succeeded',
      durationMs: 40,
      rowsIn: 10,
      rowsOut: 9,
      rowsRejected: 1,
      details: { files: 1 },
    });

    // A publish gate degrades the run; only the score step's own mark is cleared by its passing retry.
    await runDegraded(db, runKey, 'score: publish blocked: too few rows; no scores are published yet');
    expect(await degradedCleared(db, runKey, 'evaluate: something else')).toBe(false);
    expect(await runRow(runKey)).toMatchObject({
      status: 'degraded',
      error: 'score: publish blocked: too few rows; no scores are published yet',
    });
    expect(await degradedCleared(db, runKey, 'score: publish blocked')).toBe(true);
    expect(await runRow(runKey)).toMatchObject({ status: 'running', error: null });

    await runFinished(db, runKey, 'degraded', 'score: gate blocked');
    expect(await runRow(runKey)).toMatchObject({
      status: 'degraded',
      error: 'score: gate blocked',
      failedStep: null,
    });
    await runFinished(db, runKey, 'succeeded', 'ignored for a succeeded run');
    const finished = await runRow(runKey);
    expect(finished).toMatchObject({ status: 'succeeded', error: null, failedStep: null });
    expect(finished.finishedAt).toBeInstanceOf(Date);

    // A finished run cannot be cancelled; it can be rerun once as the next generation.
    expect(await runCancelled(db, runKey)).toBe(false);
    expect((await runRow(runKey)).status).toBe('succeeded');
    expect(await rerunAsNewGeneration(db, runKey, 1, pipeline)).toBe(true);
    expect(await rerunAsNewGeneration(db, runKey, 1, pipeline), 'a second rerun of the same generation').toBe(
      false,
    );
    expect(await runRow(runKey)).toMatchObject({
      status: 'pending',
      generation: 2,
      error: null,
      failedStep: null,
      startedAt: null,
      finishedAt: null,
    });
  });

  it('never reruns an active run', async () => {
    const { db } = t.database;
    const pipeline = scoringPipeline('active');
    const runKey = 'active@2026-03-02';
    await createRun(db, runKey, '2026-03-02', pipeline);
    expect(await rerunAsNewGeneration(db, runKey, 1, pipeline), 'pending').toBe(false);
    await runStarted(db, runKey);
    expect(await rerunAsNewGeneration(db, runKey, 1, pipeline), 'running').toBe(false);
    expect(await runRow(runKey)).toMatchObject({ status: 'running', generation: 1 });
  });

  it('cancels a pending or failed run, keeping the earlier error after the reason', async () => {
    const { db } = t.database;
    const waiting = 'cancel@2026-03-03';
    await createRun(db, waiting, '2026-03-03', scoringPipeline('cancel'));
    expect(await runCancelled(db, waiting)).toBe(true);
    expect(await runRow(waiting)).toMatchObject({ status: 'cancelled', error: 'cancelled by operator' });
    expect(await runCancelled(db, waiting), 'cancelled already').toBe(false);
    expect(await runStarted(db, waiting), 'a cancelled run never starts again').toBe(false);

    const broken = 'cancel@2026-03-04';
    await createRun(db, broken, '2026-03-04', scoringPipeline('cancel'));
    await runFailed(db, broken, 'load', 'disk full');
    expect(await runCancelled(db, broken)).toBe(true);
    expect(await runRow(broken)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by operator after: load: disk full',
    });
  });

  it('fails a running run before a restart, keeping a finish time it already had', async () => {
    const { db } = t.database;
    const runKey = 'restart@2026-03-05';
    await createRun(db, runKey, '2026-03-05', scoringPipeline('restart'));
    expect(await failedBeforeRestart(db, runKey, 1), 'only a running run').toBe(false);
    await runStarted(db, runKey);
    expect(await failedBeforeRestart(db, runKey, 2), 'only this generation').toBe(false);
    expect(await failedBeforeRestart(db, runKey, 1)).toBe(true);
    const row = await runRow(runKey);
    expect(row.status).toBe('failed');
    expect(row.finishedAt).toBeInstanceOf(Date);
  });

  it('records a stalled-out job once: its running attempt and the run fail', async () => {
    const { db } = t.database;
    const runKey = 'stall@2026-03-06';
    await createRun(db, runKey, '2026-03-06', scoringPipeline('stall'));
    const id = await stepAttemptStarted(db, { runKey, step: 'features', attempt: 1, worker: WORKER });
    await runStarted(db, runKey);
    expect(await stalledOut(db, runKey, 'features', 'stalled out: check the workers')).toBe(true);
    expect(
      await stalledOut(db, runKey, 'features', 'stalled out: check the workers'),
      'recorded already',
    ).toBe(false);
    expect(await attempts(runKey)).toMatchObject([
      { id, status: 'failed', errorKind: 'transient', error: 'stalled out: check the workers' },
    ]);
    expect(await runRow(runKey)).toMatchObject({
      status: 'failed',
      failedStep: 'features',
      error: 'features: stalled out: check the workers',
    });
  });

  it('records an attempt that failed before it had a row', async () => {
    const { db } = t.database;
    const runKey = 'early@2026-03-07';
    await createRun(db, runKey, '2026-03-07', scoringPipeline('early'));
    await attemptFailed(db, {
      runKey,
      step: 'clean',
      attempt: 1,
      worker: WORKER,
      stepRunId: undefined,
      error: 'inputs not ready',
      permanent: false,
      durationMs: 1,
    });
    expect(await attempts(runKey)).toMatchObject([
      {
        step: 'clean',
        attempt: 1,
        status: 'failed',
        errorKind: 'transient',
        error: 'inputs not ready',
        worker: WORKER,
      },
    ]);
  });
});
