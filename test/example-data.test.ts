import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/** The README's "your own data in 10 minutes" walkthrough, step for step, on the shipped example. */
describe('the README walkthrough on data/examples/purchases.txt', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  beforeAll(async () => {
    t = await createTestEnv('example');
    worker = spawnCpd(['worker'], t.env);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  it('loads every line of the whitespace-padded log and publishes a score per customer', async () => {
    const res = await runCpd(
      ['run', '--pipeline', 'data/examples/purchases.json', '--date', '1998-07-01', '--wait'],
      t.env,
      300_000,
    );
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    expect(res.stdout).toMatch(/load\s+succeeded\s+\S+\s+in 4,637\s+out 4,637/);
    const [rows] = await t.database.pool.query(
      "SELECT COUNT(*) AS n, MIN(decile) AS lo, MAX(decile) AS hi FROM customer_scores WHERE pipeline = 'my-shop'",
    );
    expect((rows as { n: number; lo: number; hi: number }[])[0]).toMatchObject({ n: 500, lo: 1, hi: 10 });
  }, 300_000);
});
