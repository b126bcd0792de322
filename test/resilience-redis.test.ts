import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { type DedicatedRedis, startDedicatedRedis } from './helpers/redis-server.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';
import { waitForRunningStep } from './helpers/wait-step.ts';

const DATE = '2026-11-25';
const RUN_KEY = `redisdown@${DATE}`;

/** Redis goes away while a step runs (a restart, a failover) and comes back: the run completes. */
describe('resilience: Redis restarted mid-run', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let redis: DedicatedRedis | undefined;
  let redisDir: string;
  let worker: CpdProcess | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    redisDir = mkdtempSync(path.join(os.tmpdir(), 'cpd-redis-'));
    redis = await startDedicatedRedis(redisDir);
    t = await createTestEnv('redisrestart', { SMTP_URL: smtp.url, REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await worker?.stop();
    // Always: a dedicated server left running would hold its port and folder for good.
    await redis?.stop();
    await t?.cleanup();
    await smtp?.close();
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('the worker and the waiting `cpd run --wait` reconnect and the run completes', async () => {
    // Enough trees that training is still running when Redis goes down.
    const { pipeline } = writeShoppersSlice(t.tmp, 3_000, { name: 'redisdown', model: { nTrees: 200 } });
    worker = spawnCpd(['worker'], t.env);
    const run = runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json'], t.env, 400_000);

    await waitForRunningStep(t.database.db, RUN_KEY, 'train', 240_000);
    await redis!.stop();
    // Down until the worker has noticed (its connection error is logged), not for a guessed number of seconds.
    await waitFor(
      'the worker to see Redis gone',
      async () => /ECONNREFUSED|Connection is closed|ECONNRESET/.test(worker!.output()),
      60_000,
      100,
    );
    await redis!.start();

    const res = await run;
    expect(res.code, res.stdout + res.stderr + worker.output() + redis!.output()).toBe(0);
    const [row] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
    expect(row?.status).toBe('succeeded');
    const succeeded = await t.database.db
      .select({ step: stepRuns.step })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.status, 'succeeded')));
    expect(new Set(succeeded.map((s) => s.step))).toEqual(new Set(stepNames));
    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
    expect(outbox.map((m) => m.kind)).toEqual(['report']);
    await expect.poll(() => smtp.received.length).toBe(1);
  }, 300_000);
});
