import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

/** A nightly export that lands late: the collect step waits for it (a sensor) instead of failing at once. */
describe('sensors for late input', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let queues: Queues;
  let csv: string;
  let pipelineFile: string;

  /** The pipeline file with this sensor on its one file source. */
  const withWait = (wait: { pokeSeconds: number; timeoutMinutes: number }) => {
    const p = JSON.parse(readFileSync(pipelineFile, 'utf8')) as { sources: Record<string, unknown>[] };
    p.sources = p.sources.map((s) => ({ ...s, wait }));
    const file = pipelineFile.replace(/\.json$/, `-${wait.timeoutMinutes}.json`);
    writeFileSync(file, JSON.stringify(p));
    return file;
  };
  const attemptsOf = (runKey: string) =>
    t.database.db
      .select({ status: stepRuns.status, attempt: stepRuns.attempt, error: stepRuns.error })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'collect')));
  const runOf = async (runKey: string) =>
    (await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey)))[0];

  beforeAll(async () => {
    t = await createTestEnv('sensorwait');
    worker = spawnCpd(['worker'], t.env);
    queues = createQueues(t.config);
    ({ csv, pipeline: pipelineFile } = writeShoppersSlice(t.tmp, 600, { name: 'sensor' }));
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.stop();
    await t?.cleanup();
  });

  it('waits for a file that appears 5 s after the start, without holding a worker or spending an attempt', async () => {
    const runKey = 'sensor@2026-11-10';
    renameSync(csv, `${csv}.late`);
    const started = Date.now();
    const run = runCpd(
      [
        'run',
        '--pipeline',
        withWait({ pokeSeconds: 1, timeoutMinutes: 5 }),
        '--date',
        '2026-11-10',
        '--wait',
      ],
      t.env,
    );
    await waitFor('collect to wait for its input', async () =>
      (await attemptsOf(runKey)).some((a) => a.status === 'waiting'),
    );
    // While it waits, the collect job sits in the delayed set: no worker slot is held.
    const job = await queues.queue('collect').getJob(`${runKey}.g1.collect`);
    await waitFor('the collect job to be delayed', async () => (await job?.getState()) === 'delayed');
    const [waiting] = await attemptsOf(runKey);
    expect(waiting?.error).toMatch(/^waiting for input: source sessions: no file matches/);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 5_000 - Date.now())));
    renameSync(`${csv}.late`, csv);

    const done = await run;
    expect(done.code, done.stdout + done.stderr + worker.output()).toBe(0);
    expect(await attemptsOf(runKey)).toEqual([{ status: 'succeeded', attempt: 1, error: null }]);
    const failed = await t.database.db
      .select()
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.status, 'failed')));
    expect(failed).toEqual([]);
  }, 180_000);

  it('fails "still missing" only at the timeout, then resumes without --force once the file is there', async () => {
    const runKey = 'sensor@2026-11-11';
    renameSync(csv, `${csv}.late`);
    const started = Date.now();
    const run = await runCpd(
      [
        'run',
        '--pipeline',
        withWait({ pokeSeconds: 1, timeoutMinutes: 0.1 }),
        '--date',
        '2026-11-11',
        '--wait',
      ],
      t.env,
    );
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
    const failedRun = await runOf(runKey);
    expect(failedRun?.status).toBe('failed');
    expect(failedRun?.error).toMatch(
      /^collect: source sessions: still missing after 0\.1 minutes \(source sessions: no file matches/,
    );
    expect((await attemptsOf(runKey)).map((a) => a.status)).toEqual(['failed']);

    renameSync(`${csv}.late`, csv);
    const resumed = await runCpd(['resume', runKey, '--json'], t.env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      action: 'restarted',
      fromStep: 'collect',
      generation: 2,
    });
    const finished = await waitFor(
      'the resumed run to finish',
      async () => {
        const r = await runOf(runKey);
        return r?.status === 'succeeded' || r?.status === 'failed' ? r : undefined;
      },
      120_000,
      250,
    );
    expect(finished.status, worker.output()).toBe('succeeded');
  }, 180_000);
});
