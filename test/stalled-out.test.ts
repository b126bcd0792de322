import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const RUN_KEY = 'frozen@2026-11-27';
const JOB_ID = stepJobId(RUN_KEY, 1, 'collect');

/**
 * Two workers frozen in turn (SIGSTOP: a VM paused, a process swapped out) while holding the same
 * job: BullMQ fails it for stalling when a third worker fetches it, without calling the step
 * runner. The ledger must say so (failed, ops alerted) instead of "running" until the deadline.
 */
describe('a job BullMQ fails for stalling is recorded in the ledger', () => {
  let t: TestEnv;
  let server: Server;
  let queues: Queues;
  const procs: CpdProcess[] = [];

  beforeAll(async () => {
    // The shortest lock and stall check the schema allows, so each freeze becomes a stall within seconds.
    t = await createTestEnv('stalledout', { CPD_LOCK_DURATION_MS: '1000', CPD_STALLED_INTERVAL_MS: '1000' });
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    // A stopped process ignores SIGTERM until continued; SIGKILL ends it either way.
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.stop()));
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await queues?.close();
    await t?.cleanup();
  });

  const job = () => queues.queue('collect').getJob(JOB_ID);

  it('marks the attempt and the run failed and sends the one failure alert', async () => {
    // The source never answers, so collect is mid-step for as long as the test needs.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { pipeline } = writeShoppersSlice(t.tmp, 100, { name: 'frozen' });
    const file = JSON.parse(readFileSync(pipeline, 'utf8')) as Record<string, unknown>;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/frozen.csv`;
    writeFileSync(
      pipeline,
      JSON.stringify({ ...file, sources: [{ kind: 'http', name: 'sessions', url, timeoutMs: 600_000 }] }),
    );

    const first = spawnCpd(['worker', '--queues', 'collect'], t.env);
    procs.push(first);
    const started = await runCpd(['run', '--pipeline', pipeline, '--date', '2026-11-27'], t.env);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const running = await waitFor(
      'collect running',
      async () =>
        (
          await t.database.db
            .select()
            .from(stepRuns)
            .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.status, 'running')))
        )[0],
      120_000,
      100,
    );
    first.child.kill('SIGSTOP');

    // A second worker finds the job stalled, takes it over (it waits for the step lock the frozen one holds), and is frozen too.
    const second = spawnCpd(['worker', '--queues', 'collect'], t.env);
    procs.push(second);
    await waitFor(
      'the job redelivered to the second worker',
      async () => {
        const j = await job();
        return j && j.stalledCounter === 1 && (await j.getState()) === 'active' ? j : undefined;
      },
      120_000,
      100,
    );
    second.child.kill('SIGSTOP');

    const third = spawnCpd(['worker', '--queues', 'collect'], t.env);
    procs.push(third);
    const run = await waitFor(
      'the run failed in the ledger',
      async () => {
        const [r] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
        return r?.status === 'failed' ? r : undefined;
      },
      120_000,
      200,
    );
    expect(await (await job())?.getState()).toBe('failed');
    expect((await job())?.failedReason).toBe('job stalled more than allowable limit');
    expect(run.failedStep).toBe('collect');
    expect(run.error).toContain(`stalled out`);
    expect(run.error).toContain(`cpd resume ${RUN_KEY}`);
    const [attempt] = await t.database.db.select().from(stepRuns).where(eq(stepRuns.id, running.id));
    expect(attempt).toMatchObject({ status: 'failed', errorKind: 'transient' });
    // Ops get the alert, stakeholders the failure report, as for any failed run.
    const mails = await waitFor(
      'the failure alert and report',
      async () => {
        const rows = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
        return rows.filter((r) => r.status === 'sent').length >= 2 ? rows : undefined;
      },
      60_000,
      200,
    );
    expect(mails.map((a) => a.kind).sort()).toEqual(['alert-failed', 'report-failed']);
  }, 240_000);
});
