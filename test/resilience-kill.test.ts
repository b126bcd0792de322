import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepName } from '../config/steps.ts';
import { emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { runCounts } from './helpers/run-counts.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';
import { waitForRunningStep } from './helpers/wait-step.ts';

const DATE = '2026-11-24';
// Half the file and a larger forest, so load and train each last long enough for a kill to land inside them.
const ROWS = 4_000;
const MODEL = { nTrees: 200 };

/** Each pipeline publishes its own `scores_<name>` table: compare a run's under one name, without the other pipeline's. */
function onePipeline(
  counts: Awaited<ReturnType<typeof runCounts>>,
  name: string,
  other: string,
): Awaited<ReturnType<typeof runCounts>> {
  const tables = Object.entries(counts.tables)
    .filter(([table]) => !table.includes(`_${other}`))
    .map(([table, n]) => [table.replace(`_${name}`, '_<pipeline>'), n]);
  return { ...counts, tables: Object.fromEntries(tables) };
}

/** A worker killed with SIGKILL, mid-step, twice in one run: the run completes as if nothing happened. */
describe('resilience: kill -9 of the worker during load and during train', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  const workers: CpdProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    // A shorter lock and stall check so a dead worker's job is redelivered within seconds, not a minute;
    // not shorter than this: on a starved machine a busy worker misses renewals of a 5 s lock.
    t = await createTestEnv('killnine', {
      SMTP_URL: smtp.url,
      CPD_LOCK_DURATION_MS: '10000',
      CPD_STALLED_INTERVAL_MS: '3000',
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.cleanup();
    await smtp?.close();
  });

  function startWorker(): CpdProcess {
    const w = spawnCpd(['worker'], t.env);
    workers.push(w);
    return w;
  }

  function slice(name: string): string {
    const dir = path.join(t.tmp, name);
    mkdirSync(dir, { recursive: true });
    return writeShoppersSlice(dir, ROWS, { name, model: MODEL }).pipeline;
  }

  /** Waits until `step` of the run is mid-flight in the ledger, kills the worker hard, and proves it was mid-step. */
  async function killDuring(worker: CpdProcess, runKey: string, step: StepName): Promise<void> {
    const running = await waitForRunningStep(t.database.db, runKey, step, 240_000, 20);
    worker.child.kill('SIGKILL');
    await new Promise((resolve) => worker.child.once('exit', resolve));
    const [after] = await t.database.db.select().from(stepRuns).where(eq(stepRuns.id, running.id));
    expect(after?.status, `the kill must land while ${step} runs`).toBe('running');
  }

  it('completes with the same row counts as an undisturbed run and one report mail', async () => {
    const reference = slice('calm');
    const refRun = `calm@${DATE}`;
    startWorker();
    const ref = await runCpd(
      ['run', '--pipeline', reference, '--date', DATE, '--wait', '--json'],
      t.env,
      220_000,
    );
    expect(ref.code, ref.stdout + ref.stderr).toBe(0);
    await workers.pop()!.stop();

    const disturbed = slice('killed');
    const runKey = `killed@${DATE}`;
    const run = runCpd(['run', '--pipeline', disturbed, '--date', DATE, '--wait', '--json'], t.env, 220_000);
    await killDuring(startWorker(), runKey, 'load');
    await killDuring(startWorker(), runKey, 'train');
    startWorker();
    const res = await run;
    expect(res.code, res.stdout + res.stderr + workers.map((w) => w.output()).join('\n')).toBe(0);

    const [row] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    expect(row?.status).toBe('succeeded');
    const expected = onePipeline(await runCounts(t.database, refRun), 'calm', 'killed');
    expect(expected.steps.load).toMatchObject({ rowsIn: ROWS });
    expect(expected.tables['scores_<pipeline>']).toBe(ROWS);
    expect(onePipeline(await runCounts(t.database, runKey), 'killed', 'calm')).toEqual(expected);

    // The killed attempts are in the ledger as interrupted, each followed by one that succeeded.
    for (const step of ['load', 'train']) {
      const attempts = await t.database.db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step)))
        .orderBy(asc(stepRuns.id));
      expect(
        attempts.map((a) => a.status),
        step,
      ).toEqual(['failed', 'succeeded']);
      expect(attempts[0]?.error).toMatch(/interrupted/);
    }

    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, runKey));
    expect(outbox.filter((m) => m.kind === 'report')).toHaveLength(1);
    await expect.poll(() => smtp.received.filter((m) => m.subject?.includes('killed')).length).toBe(1);
    expect(smtp.received.filter((m) => m.subject?.includes('calm'))).toHaveLength(1);
  }, 240_000);
});
