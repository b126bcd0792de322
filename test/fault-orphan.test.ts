import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { type DedicatedRedis, startDedicatedRedis } from './helpers/redis-server.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const DATE = '2026-11-12';
const RUN_KEY = `orphan@${DATE}`;

/** Redis loses every key mid-run (a restart without persistence): the scheduler's reconciler re-creates the jobs. */
describe('orphan reconciliation: Redis flushed mid-run', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let redis: DedicatedRedis | undefined;
  let redisDir: string;
  const procs: CpdProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    redisDir = mkdtempSync(path.join(os.tmpdir(), 'cpd-redis-'));
    // Its own redis-server: FLUSHALL on the shared one would wipe every other test's queues.
    redis = await startDedicatedRedis(redisDir);
    t = await createTestEnv('orphan', { SMTP_URL: smtp.url, REDIS_URL: redis.url, CPD_RECONCILE_MS: '3000' });
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await redis?.stop();
    await t?.cleanup();
    await smtp?.close();
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('the run completes, the waiting client says what happened, ops get one alert', async () => {
    const dir = path.join(t.tmp, 'pipelines');
    mkdirSync(dir);
    // The scheduler serves the reconciler; its own catch-up must not start other nights.
    writeShoppersSlice(dir, 1_500, { name: 'orphan', model: { nTrees: 60 }, catchUp: { policy: 'skip' } });
    const pipeline = path.join(dir, 'pipeline.json');
    procs.push(spawnCpd(['worker'], t.env));
    const scheduler = spawnCpd(['scheduler', '--pipelines', dir], { ...t.env, LOG_LEVEL: 'info' });
    procs.push(scheduler);
    const run = runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait'], t.env, 240_000);

    // The moment: collect is done and recorded, the later steps live only in Redis.
    await waitFor(
      'collect to succeed',
      async () =>
        (
          await t.database.db
            .select()
            .from(stepRuns)
            .where(
              and(
                eq(stepRuns.runKey, RUN_KEY),
                eq(stepRuns.step, 'collect'),
                eq(stepRuns.status, 'succeeded'),
              ),
            )
        )[0],
      120_000,
      20,
    );
    const admin = new Redis(redis!.url);
    await admin.flushall();
    admin.disconnect();

    const res = await run;
    expect(res.code, res.stdout + res.stderr + scheduler.output()).toBe(0);
    expect(res.stderr).toMatch(/step [a-z]+ has no job in Redis \(queue data lost\?\)/);
    expect(scheduler.output()).toMatch(/orphaned run: no job for step [a-z]+ in Redis; re-created the jobs/);
    const [row] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
    expect(row?.status).toBe('succeeded');
    const succeeded = await t.database.db
      .select({ step: stepRuns.step })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.status, 'succeeded')));
    expect(new Set(succeeded.map((s) => s.step))).toEqual(new Set(stepNames));
    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
    expect(outbox.map((m) => m.kind).sort()).toEqual(['alert-orphan', 'report']);
    await expect
      .poll(() => smtp.received.filter((m) => m.subject?.startsWith('[cpd] ORPHANED')).length)
      .toBe(1);
  }, 240_000);
});
