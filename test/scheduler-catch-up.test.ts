import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, scheduleTicks } from '../db/schema/index.ts';
import { createQueues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

/** A pipelines folder holding one pipeline, built from the shoppers slice with schedule overrides. */
function pipelinesDir(t: TestEnv, name: string, overrides: Record<string, unknown>): string {
  const dir = path.join(t.tmp, `pipelines-${name}`);
  mkdirSync(dir, { recursive: true });
  const { pipeline } = writeShoppersSlice(t.tmp, 200, { name, ...overrides });
  writeFileSync(path.join(dir, `${name}.json`), readFileSync(pipeline));
  return dir;
}

describe('scheduler: ticks only start a run key, catch-up follows the policy', () => {
  let t: TestEnv;
  const procs: CpdProcess[] = [];

  beforeAll(async () => {
    t = await createTestEnv('scheduler');
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await t?.cleanup();
  });

  it('two scheduler processes on the same tick start exactly one run', async () => {
    // Every 3 seconds, so both processes see the same ticks; catch-up skip keeps start-up quiet.
    const dir = pipelinesDir(t, 'twice', {
      schedule: { cron: '*/3 * * * * *', timezone: 'Europe/London' },
      catchUp: { policy: 'skip', maxDays: 1 },
    });
    const a = spawnCpd(['scheduler', '--pipelines', dir], t.env);
    const b = spawnCpd(['scheduler', '--pipelines', dir], t.env);
    procs.push(a, b);
    // Wait for a cron slot both processes recorded (each process writes one row per tick it saw).
    const slot = await waitFor(
      'one tick seen by both schedulers',
      async () => {
        const rows = await t.database.db
          .select()
          .from(scheduleTicks)
          .where(eq(scheduleTicks.pipeline, 'twice'));
        const bySlot = new Map<number, Set<string>>();
        for (const r of rows.filter((r) => r.decision === 'started' || r.decision === 'existing')) {
          bySlot.set(r.fireAt.getTime(), (bySlot.get(r.fireAt.getTime()) ?? new Set()).add(r.scheduler));
        }
        return [...bySlot.entries()].find(([, s]) => s.size === 2)?.[0];
      },
      // Two cold tsx processes on a busy machine take a while to load before their first tick.
      90_000,
      200,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(slot, a.output() + b.output()).toBeDefined();
    const ticks = await t.database.db.select().from(scheduleTicks).where(eq(scheduleTicks.pipeline, 'twice'));
    const ticked = ticks.filter((r) => r.decision === 'started' || r.decision === 'existing');
    expect(new Set(ticked.map((r) => r.scheduler)).size).toBe(2);
    expect(ticked.filter((r) => r.decision === 'started')).toHaveLength(1);
    const runs = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.pipeline, 'twice'));
    expect(runs).toHaveLength(1);
    // One flow in Redis: one collect job, whatever the number of ticks and processes.
    const queues = createQueues(t.config);
    try {
      const counts = await queues
        .queue('collect')
        .getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(1);
    } finally {
      await queues.close();
    }
  });

  it('restarted after missing three nights, backfill runs them oldest first, one at a time', async () => {
    const dir = pipelinesDir(t, 'missed', {
      schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
      catchUp: { policy: 'backfill', maxDays: 5 },
    });
    // The night of 2026-01-01 ran (the ledger knows it); the scheduler was down until 01:00 on the 5th.
    await t.database.db.insert(pipelineRuns).values({
      runKey: 'missed@2026-01-01',
      pipeline: 'missed',
      businessDate: '2026-01-01',
      status: 'succeeded',
      params: {},
    });
    const worker = spawnCpd(['worker'], t.env);
    procs.push(worker);
    const res = await runCpd(
      ['scheduler', '--pipelines', dir, '--now', '2026-01-05T01:00:00Z', '--once'],
      t.env,
      400_000,
    );
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    const runs = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.pipeline, 'missed'))
      .orderBy(asc(pipelineRuns.createdAt));
    expect(
      runs.map((r) => r.businessDate),
      JSON.stringify(runs.map((r) => [r.status, r.error])) + res.stdout + res.stderr,
    ).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    // Each night is a real run: three report mails, one per missed night.
    const [mails] = await t.database.pool.query(
      "SELECT run_key FROM email_outbox WHERE kind = 'report' AND run_key LIKE 'missed@%' ORDER BY run_key",
    );
    expect((mails as { run_key: string }[]).map((m) => m.run_key)).toEqual([
      'missed@2026-01-02',
      'missed@2026-01-03',
      'missed@2026-01-04',
    ]);
    // One at a time: each missed night was created only after the previous one had finished.
    for (let i = 2; i < runs.length; i++)
      expect(runs[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
    const decisions = await t.database.db
      .select()
      .from(scheduleTicks)
      .where(eq(scheduleTicks.pipeline, 'missed'))
      .orderBy(asc(scheduleTicks.id));
    expect(decisions.map((d) => [d.businessDate, d.decision])).toEqual([
      ['2026-01-02', 'catch-up'],
      ['2026-01-03', 'catch-up'],
      ['2026-01-04', 'catch-up'],
    ]);
    await worker.stop();
  }, 420_000);

  it('latest runs only the newest missed night and records the others as skipped', async () => {
    const dir = pipelinesDir(t, 'latest', {
      schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
      catchUp: { policy: 'latest', maxDays: 5 },
    });
    await t.database.db.insert(pipelineRuns).values({
      runKey: 'latest@2026-02-01',
      pipeline: 'latest',
      businessDate: '2026-02-01',
      status: 'succeeded',
      params: {},
    });
    // No worker: --once would wait for the run, so the scheduler is stopped once it has decided.
    const s = spawnCpd(['scheduler', '--pipelines', dir, '--now', '2026-02-05T01:00:00Z'], t.env);
    procs.push(s);
    await waitFor(
      'the catch-up decisions',
      async () => {
        const rows = await t.database.db
          .select()
          .from(scheduleTicks)
          .where(eq(scheduleTicks.pipeline, 'latest'));
        return rows.length >= 3 ? rows : undefined;
      },
      30_000,
      200,
    );
    await s.stop();
    const rows = await t.database.db
      .select()
      .from(scheduleTicks)
      .where(eq(scheduleTicks.pipeline, 'latest'))
      .orderBy(asc(scheduleTicks.businessDate));
    expect(rows.map((r) => [r.businessDate, r.decision])).toEqual([
      ['2026-02-02', 'skipped'],
      ['2026-02-03', 'skipped'],
      ['2026-02-04', 'catch-up'],
    ]);
    const runs = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.pipeline, 'latest'))
      .orderBy(asc(pipelineRuns.businessDate));
    expect(runs.map((r) => r.businessDate)).toEqual(['2026-02-01', '2026-02-04']);
  });
});
