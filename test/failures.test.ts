import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../db/client.ts';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

describe('failures: transient ones are retried, permanent ones fail the run at once', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('failures', { CPD_ATTEMPTS: '4' });
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  it('a database connection killed during load is retried and the run completes', async () => {
    const { pipeline } = writeShoppersSlice(t.tmp, 500, { name: 'transient' });
    const runKey = 'transient@2026-11-21';
    // Hold the load step's run lock so the step is certain to be mid-flight on its connection when we kill it.
    const holder = await mysql.createConnection(connectionOptions(t.config.DATABASE_URL));
    const lockName = `cpd:${createHash('sha1').update(`${t.database.name}/${runKey}/load`).digest('hex')}`;
    await holder.query('SELECT GET_LOCK(?, 5)', [lockName]);
    const run = runCpd(['run', '--pipeline', pipeline, '--date', '2026-11-21', '--wait', '--json'], t.env);

    const victim = await waitFor('the load step waiting on its connection', async () => {
      const [rows] = await holder.query(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT GET_LOCK%' AND ID <> CONNECTION_ID()",
        [t.database.name],
      );
      return (rows as { id: number }[])[0]?.id;
    });
    await holder.query(`KILL CONNECTION ${Number(victim)}`);
    await waitFor('the failed load attempt in the ledger', async () => {
      const rows = await t.database.db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'load'), eq(stepRuns.status, 'failed')));
      return rows[0];
    });
    await holder.query('SELECT RELEASE_LOCK(?)', [lockName]);
    await holder.end();

    const res = await run;
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    const attempts = await t.database.db
      .select()
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'load')))
      .orderBy(asc(stepRuns.id));
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(attempts[0]?.errorKind).toBe('transient');
    expect(attempts[1]?.rowsOut).toBe(500);
    const [scored] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'transient'",
    );
    expect(Number((scored as { n: number }[])[0]!.n)).toBe(500);
  });

  it('a missing label column fails the run without retries, and status names the column', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 300, { name: 'nolabel' });
    const text = readFileSync(csv, 'utf8').replace(/,Revenue\r\n/, ',Outcome\r\n');
    writeFileSync(csv, text);
    const res = await runCpd(
      ['run', '--pipeline', pipeline, '--date', '2026-11-22', '--wait', '--json'],
      t.env,
    );
    expect(res.code).toBe(1);
    const runKey = 'nolabel@2026-11-22';
    const attempts = await t.database.db
      .select()
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'load')));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'failed', errorKind: 'permanent' });
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    expect(run).toMatchObject({ status: 'failed', failedStep: 'load' });

    const status = await runCpd(['status', runKey], t.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('column "Revenue" is missing');
    expect(status.stdout).toContain(path.basename(csv));
    const statusJson = JSON.parse((await runCpd(['status', runKey, '--json'], t.env)).stdout) as {
      status: string;
      error: string;
    };
    expect(statusJson.status).toBe('failed');
    expect(statusJson.error).toMatch(/Revenue/);
    // Nothing half-loaded stays behind.
    const [raw] = await t.database.pool.query('SELECT COUNT(*) AS n FROM raw_rows WHERE run_key = ?', [
      runKey,
    ]);
    expect(Number((raw as { n: number }[])[0]!.n)).toBe(0);
  });
});
