import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const TIMED = 'hung@2026-11-26';
const HELD = 'held@2026-11-26';

/**
 * A source that hangs (a stuck export server): the collect step's timeout from the pipeline file
 * aborts it and the retry succeeds. Then an operator cancels two runs: one waiting for a worker,
 * one whose collect is mid-download; that download finishes, nothing after it runs.
 */
describe('step timeout and cpd cancel', () => {
  let t: TestEnv;
  let server: Server;
  let queues: Queues;
  let worker: CpdProcess | undefined;
  const requests: { path: string; aborted: boolean }[] = [];
  let releaseHeld: (() => void) | undefined;

  beforeAll(async () => {
    t = await createTestEnv('timeoutcancel');
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    await worker?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await queues?.close();
    await t?.cleanup();
  });

  /** A pipeline over the HTTP source `/name.csv`. */
  function httpPipeline(name: string, extra: Record<string, unknown>): { pipeline: string; body: Buffer } {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 200, { name, ...extra });
    const file = JSON.parse(readFileSync(pipeline, 'utf8')) as Record<string, unknown>;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}.csv`;
    // The source's own HTTP timeout is far longer than any step timeout, so only the step timeout can end a hang.
    const out = pipeline.replace(/\.json$/, `-${name}.json`);
    writeFileSync(
      out,
      JSON.stringify({ ...file, sources: [{ kind: 'http', name: 'sessions', url, timeoutMs: 120_000 }] }),
    );
    return { pipeline: out, body: readFileSync(csv) };
  }

  const attempts = (runKey: string, step: string) =>
    t.database.db
      .select()
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step)))
      .orderBy(asc(stepRuns.id));

  it('a step past its timeout is aborted and retried; cancel removes the waiting steps and lets a running one finish, nothing after it', async () => {
    const bodies = new Map<string, Buffer>();
    server = createServer((req, res) => {
      const r = { path: req.url ?? '', aborted: false };
      requests.push(r);
      res.on('close', () => (r.aborted = !res.writableEnded));
      const send = () => res.writeHead(200, { 'content-type': 'text/csv' }).end(bodies.get(r.path));
      // The first request of /hung.csv never gets an answer; /held.csv answers when the test says so.
      if (r.path === '/hung.csv' && requests.filter((q) => q.path === r.path).length === 1) return;
      if (r.path === '/held.csv') releaseHeld = send;
      else send();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const timed = httpPipeline('hung', { timeouts: { collect: 2 } });
    const held = httpPipeline('held', {});
    bodies.set('/hung.csv', timed.body).set('/held.csv', held.body);

    // Only collect is served: each run stops after it, waiting for a load worker.
    worker = spawnCpd(['worker', '--queues', 'collect'], t.env);
    const started = await runCpd(['run', '--pipeline', timed.pipeline, '--date', '2026-11-26'], t.env);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    await waitFor(
      'collect to succeed after its timeout',
      async () => (await attempts(TIMED, 'collect')).find((a) => a.status === 'succeeded'),
      120_000,
      200,
    );
    const collect = await attempts(TIMED, 'collect');
    expect(collect.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(collect[0]?.error).toBe('step collect timed out after 2s');
    expect(collect[0]?.errorKind).toBe('transient');
    expect(
      requests.filter((r) => r.path === '/hung.csv').map((r) => r.aborted),
      'the hung request was aborted, the retry answered',
    ).toEqual([true, false]);

    // Cancelled while waiting for a worker: every step job not yet run is removed.
    const waiting = await runCpd(['cancel', TIMED, '--json'], t.env);
    expect(waiting.code, waiting.stdout + waiting.stderr).toBe(0);
    expect(JSON.parse(waiting.stdout)).toEqual({
      runKey: TIMED,
      cancelled: true,
      removed: ['report', 'score', 'evaluate', 'train', 'features', 'clean', 'load'],
      running: [],
    });

    // Cancelled mid-step: collect is downloading (the server holds the answer) when the operator cancels.
    const second = await runCpd(['run', '--pipeline', held.pipeline, '--date', '2026-11-26'], t.env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    await waitFor('the held download to start', async () => releaseHeld, 120_000, 100);
    const running = await waitFor(
      'collect running',
      async () => (await attempts(HELD, 'collect')).find((a) => a.status === 'running'),
      30_000,
      100,
    );
    const cancel = await runCpd(['cancel', HELD, '--json'], t.env);
    expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toEqual({
      runKey: HELD,
      cancelled: true,
      removed: ['report', 'score', 'evaluate', 'train', 'features', 'clean', 'load'],
      running: ['collect'],
    });
    releaseHeld!();
    await waitFor(
      'the running collect to finish',
      async () =>
        (await attempts(HELD, 'collect')).find((a) => a.id === running.id && a.status !== 'running'),
      60_000,
      100,
    );
    await waitFor(
      'its job to leave the active list',
      async () => (await queues.queue('collect').getJobCounts('active')).active === 0 || undefined,
      60_000,
      200,
    );

    // Nothing is left in any queue that could run a later step of either run.
    for (const step of stepNames) {
      const counts = await queues
        .queue(step)
        .getJobCounts('waiting', 'delayed', 'prioritized', 'waiting-children', 'active');
      expect(
        Object.values(counts).reduce((s, n) => s + n, 0),
        step,
      ).toBe(0);
    }
    for (const runKey of [TIMED, HELD]) {
      for (const step of stepNames.slice(1))
        expect(
          await queues.queue(step).getJob(stepJobId(runKey, 1, step)),
          `${runKey} ${step}`,
        ).toBeUndefined();
      const ran = await t.database.db
        .select({ step: stepRuns.step })
        .from(stepRuns)
        .where(eq(stepRuns.runKey, runKey));
      expect(new Set(ran.map((r) => r.step)), runKey).toEqual(new Set(['collect']));
      const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
      expect(run?.status).toBe('cancelled');
      expect(run?.error).toContain('cancelled by operator');
    }

    const twice = await runCpd(['cancel', HELD, '--json'], t.env);
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stdout)).toEqual({ runKey: HELD, cancelled: false, reason: 'run is cancelled' });
  }, 240_000);
});
