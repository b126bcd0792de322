import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/** Last week's nights, after a source outage: listed first, then run oldest first, one at a time. */
describe('cpd backfill', () => {
  let t: TestEnv;
  let worker: CpdProcess | undefined;
  let dir: string;

  beforeAll(async () => {
    t = await createTestEnv('backfill');
    dir = path.join(t.tmp, 'pipelines');
    mkdirSync(dir, { recursive: true });
    const { pipeline } = writeShoppersSlice(t.tmp, 200, { name: 'filling' });
    writeFileSync(path.join(dir, 'filling.json'), readFileSync(pipeline));
    // The middle night ran already: a backfill must leave it alone.
    await t.database.db.insert(pipelineRuns).values({
      runKey: 'filling@2026-10-02',
      pipeline: 'filling',
      businessDate: '2026-10-02',
      status: 'succeeded',
      params: {},
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  const backfill = (...extra: string[]) =>
    runCpd(
      [
        'backfill',
        'filling',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-03',
        '--pipelines',
        dir,
        '--json',
        ...extra,
      ],
      t.env,
      280_000,
    );

  it('--dry-run --json lists exactly the dates and starts nothing', async () => {
    const res = await backfill('--dry-run');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      pipeline: 'filling',
      dryRun: true,
      dates: [
        { businessDate: '2026-10-01', runKey: 'filling@2026-10-01', existing: null },
        { businessDate: '2026-10-02', runKey: 'filling@2026-10-02', existing: 'succeeded' },
        { businessDate: '2026-10-03', runKey: 'filling@2026-10-03', existing: null },
      ],
    });
    const runs = await t.database.db.select().from(pipelineRuns);
    expect(runs.map((r) => r.runKey)).toEqual(['filling@2026-10-02']);

    const reversed = await runCpd(
      ['backfill', 'filling', '--from', '2026-10-03', '--to', '2026-10-01', '--pipelines', dir],
      t.env,
    );
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('from <= to');
  });

  it('runs the missing dates oldest first, each after the previous finished, and skips the existing one', async () => {
    worker = spawnCpd(['worker'], t.env);
    const res = await backfill();
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      pipeline: 'filling',
      ok: true,
      results: [
        { runKey: 'filling@2026-10-01', status: 'succeeded' },
        { runKey: 'filling@2026-10-02', status: 'skipped (exists, succeeded)' },
        { runKey: 'filling@2026-10-03', status: 'succeeded' },
      ],
    });
    const runs = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(eq(pipelineRuns.pipeline, 'filling'))
      .orderBy(asc(pipelineRuns.createdAt));
    const first = runs.find((r) => r.runKey === 'filling@2026-10-01')!;
    const third = runs.find((r) => r.runKey === 'filling@2026-10-03')!;
    expect(
      third.createdAt.getTime(),
      'the later night starts only after the earlier one finished',
    ).toBeGreaterThanOrEqual(first.finishedAt!.getTime());
    const [mails] = await t.database.pool.query(
      "SELECT run_key FROM email_outbox WHERE kind = 'report' ORDER BY run_key",
    );
    expect((mails as { run_key: string }[]).map((m) => m.run_key)).toEqual([
      'filling@2026-10-01',
      'filling@2026-10-03',
    ]);
  }, 300_000);
});
