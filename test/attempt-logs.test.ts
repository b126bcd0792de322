import { renameSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepLogs, stepRuns } from '../db/schema/index.ts';
import { runSummary } from '../ledger/run-summary.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const DATE = '2026-11-20';
const RUN_KEY = `logged@${DATE}`;

/** After the fact, without the worker's terminal: what did each attempt say? */
describe('logs per attempt', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let queues: Queues;

  beforeAll(async () => {
    // The worker logs warnings only: the stored attempt logs still keep the info lines.
    t = await createTestEnv('attemptlogs', { LOG_LEVEL: 'warn' });
    worker = spawnCpd(['worker'], t.env);
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.stop();
    await t?.cleanup();
  });

  it('stores each attempt’s lines (also on the job), shows them with cpd logs, and counts attempts per generation', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 600, { name: 'logged' });
    renameSync(csv, `${csv}.late`);
    const failed = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait'], t.env);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);

    // The lines are written just after the attempt's outcome: wait for them, not for a clock.
    const collectLines = await waitFor('the collect attempt’s stored lines', async () => {
      const rows = await t.database.db
        .select()
        .from(stepLogs)
        .where(and(eq(stepLogs.runKey, RUN_KEY), eq(stepLogs.step, 'collect')));
      return rows.some((l) => l.msg === 'step failed') ? rows : undefined;
    });
    expect(collectLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['step started', 'step failed']));
    const failedLine = collectLines.find((l) => l.msg === 'step failed')!;
    expect(failedLine).toMatchObject({ generation: 1, attempt: 1, level: 50 });
    expect(failedLine.line).toContain('no file matches');

    await waitFor('the lines on the BullMQ job (Bull Board’s Logs tab)', async () =>
      (await queues.queue('collect').getJobLogs(`${RUN_KEY}.g1.collect`)).logs.some((l) =>
        l.includes('no file matches'),
      ),
    );

    const shown = await runCpd(['logs', RUN_KEY, 'collect', '--attempt', '1'], t.env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/ERROR collect#1 step failed error: .*no file matches/);

    // The file arrives; a rerun is generation 2, whose steps start again at attempt 1.
    renameSync(`${csv}.late`, csv);
    const rerun = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--rerun', '--wait'], t.env);
    expect(rerun.code, rerun.stdout + rerun.stderr + worker.output()).toBe(0);
    const summary = await runSummary(t.database.db, RUN_KEY);
    expect(summary?.steps.map((s) => s.attempts)).toEqual(summary?.steps.map(() => 1));
    const collectAttempts = await t.database.db
      .select({ generation: stepRuns.generation, status: stepRuns.status })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.step, 'collect')));
    expect(collectAttempts).toEqual([
      { generation: 1, status: 'failed' },
      { generation: 2, status: 'succeeded' },
    ]);

    const train = await runCpd(['logs', RUN_KEY, 'train'], t.env);
    expect(train.stdout).toMatch(/INFO {2}train#1 step succeeded/);
    expect(train.stdout).not.toContain('collect#');
    const old = await runCpd(['logs', RUN_KEY, 'collect', '--generation', '1'], t.env);
    expect(old.stdout).toContain('no file matches');

    // cpd status by pipeline name, with a duration per run.
    const status = await runCpd(['status', 'logged', '--limit', '1'], t.env);
    expect(status.stdout).toMatch(new RegExp(`^${RUN_KEY} +succeeded +\\S+ +\\d+(\\.\\d)? (ms|s|min)`, 'm'));
    const none = await runCpd(['status', '--pipeline', 'other'], t.env);
    expect(none.stdout.trim()).toBe('no runs of pipeline other');
  }, 300_000);
});
