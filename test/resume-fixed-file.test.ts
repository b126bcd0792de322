import { readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOutbox, pipelineRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

describe('cpd resume after a permanent failure fixed by the operator', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('resume');
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  it('refuses while the bad file is unchanged, then re-runs from collect once it is replaced', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 300, { name: 'fixme' });
    const good = readFileSync(csv, 'utf8');
    writeFileSync(csv, good.replace(/,Revenue\r\n/, ',Outcome\r\n'));
    const runKey = 'fixme@2026-11-20';
    const failed = await runCpd(
      ['run', '--pipeline', pipeline, '--date', '2026-11-20', '--wait', '--json'],
      t.env,
    );
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);

    const refused = await runCpd(['resume', runKey, '--json'], t.env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ action: 'refused' });
    expect(refused.stdout).toMatch(/failed permanently and none of its input files changed/);

    writeFileSync(csv, good);
    const resumed = await runCpd(['resume', runKey, '--json'], t.env);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      action: 'restarted',
      fromStep: 'collect',
      generation: 2,
    });

    const run = await waitFor(
      'the resumed run to finish',
      async () => {
        const [r] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
        return r && ['succeeded', 'failed'].includes(r.status) && r.generation === 2 ? r : undefined;
      },
      180_000,
      300,
    );
    expect(run.status, worker.output()).toBe('succeeded');
    const mails = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, runKey));
    // The failure: one ops alert and one failure report to stakeholders; the success: one report. Nothing twice.
    expect(mails.map((m) => m.kind).sort(), worker.output()).toEqual([
      'alert-failed',
      'report',
      'report-failed',
    ]);
    const [scored] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'fixme'",
    );
    expect(Number((scored as { n: number }[])[0]!.n)).toBe(300);
  }, 300_000);
});
