import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns } from '../db/schema/index.ts';
import { watchdogQueue } from '../workflows/deadline.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

/** What an orchestrator allows between SIGTERM and SIGKILL is usually 10-30 s; these must be well inside it. */
const EXIT_WITHIN_MS = 15_000;

/** SIGTERM, then the exit code, failing if the process is still alive after EXIT_WITHIN_MS. */
async function terminate(p: CpdProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)));
  p.child.kill('SIGTERM');
  const timer = new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), EXIT_WITHIN_MS).unref());
  const outcome = await Promise.race([exited, timer]);
  if (outcome === 'alive')
    throw new Error(`still running ${EXIT_WITHIN_MS} ms after SIGTERM:\n${p.output()}`);
  return outcome;
}

describe('scheduler, board and worker shut down gracefully on SIGTERM', () => {
  let t: TestEnv;
  let queues: Queues;
  const procs: CpdProcess[] = [];

  beforeAll(async () => {
    t = await createTestEnv('shutdown', {
      BOARD_OPERATOR_PASSWORD: 'operator-password-9',
      BOARD_PORT: '0',
      BOARD_HOST: '127.0.0.1',
    });
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await queues?.close();
    await t?.cleanup();
  });

  it('the board closes its port, keep-alive connections included, and exits 0', async () => {
    const board = spawnCpd(['board'], t.env);
    procs.push(board);
    const url = await waitFor(
      'the board to listen',
      async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(board.output())?.[1],
      60_000,
    );
    // A browser tab left open holds a keep-alive connection; it must not keep the server up.
    const res = await fetch(`${url}/healthz`, { headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(200);
    expect(await terminate(board), board.output()).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('the scheduler stops its cron, its catch-up wait and the watchdog, and exits 0', async () => {
    const dir = path.join(t.tmp, 'pipelines');
    mkdirSync(dir, { recursive: true });
    const { pipeline } = writeShoppersSlice(t.tmp, 200, {
      name: 'stopping',
      schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
      catchUp: { policy: 'backfill', maxDays: 2 },
      deadline: { time: '06:00' },
    });
    writeFileSync(path.join(dir, 'stopping.json'), readFileSync(pipeline));
    // No worker: the catch-up run never finishes, so the scheduler is mid-wait when the signal comes.
    const scheduler = spawnCpd(['scheduler', '--pipelines', dir, '--now', '2026-03-03T01:00:00Z'], t.env);
    procs.push(scheduler);
    const run = await waitFor(
      'the catch-up run to start',
      async () =>
        (await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.pipeline, 'stopping')))[0],
      60_000,
      200,
    );
    expect(run.businessDate).toBe('2026-03-01');
    await waitFor(
      'the watchdog to listen',
      async () => (await watchdogQueue(queues).getWorkersCount()) > 0 || undefined,
      30_000,
      200,
    );
    expect(await terminate(scheduler), scheduler.output()).toBe(0);
    expect(await watchdogQueue(queues).getWorkersCount()).toBe(0);
    // The started run is left for the workers; only the next night's catch-up would have waited on it.
    const [after] = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.runKey, run.runKey));
    expect(after?.status).toBe('pending');
  });

  it('an idle worker leaves its queues and exits 0', async () => {
    const worker = spawnCpd(['worker', '--queues', 'collect'], t.env);
    procs.push(worker);
    await waitFor(
      'the worker to listen',
      async () => (await queues.queue('collect').getWorkersCount()) > 0 || undefined,
      60_000,
      200,
    );
    expect(await terminate(worker), worker.output()).toBe(0);
    expect(await queues.queue('collect').getWorkersCount()).toBe(0);
  });
});
