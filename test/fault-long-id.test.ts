import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, rejectedRows, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-14';
const RUN_KEY = `longid@${DATE}`;

/** A 300-character customer id: refused at load naming file, line and column; never a retried database error. */
describe('an id longer than its column', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('longid');
    worker = spawnCpd(['worker'], t.env);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  it('is one rejected row at load, with file, line and column; clean runs once', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 400, {
      name: 'longid',
      model: { nTrees: 10 },
      columns: { label: { column: 'Revenue', positive: ['TRUE'] }, id: 'SessionId', categorical: ['Month'] },
    });
    // Prepend an id column; the 16th data row (line 17) gets a 300-character id.
    const lines = readFileSync(csv, 'utf8').split('\r\n');
    const withIds = lines.map((l, i) =>
      i === 0 ? `SessionId,${l}` : `${i === 16 ? 'x'.repeat(300) : `s${i}`},${l}`,
    );
    writeFileSync(csv, withIds.join('\r\n'));

    const res = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait'], t.env, 200_000);
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
    expect(run?.status).toBe('succeeded');
    const rejects = await t.database.db.select().from(rejectedRows).where(eq(rejectedRows.runKey, RUN_KEY));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      step: 'load',
      line: 17,
      column: 'SessionId',
      reason: 'longer than 191 characters (300)',
    });
    expect(path.basename(rejects[0]!.source)).toBe(path.basename(csv));
    const clean = await t.database.db
      .select()
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.step, 'clean')));
    expect(clean.map((c) => [c.status, c.attempt])).toEqual([['succeeded', 1]]);
    expect(clean[0]?.rowsIn).toBe(399);
  }, 200_000);
});
