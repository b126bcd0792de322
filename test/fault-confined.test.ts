import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { shoppersPipeline } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const SECRET = 'SECRET-TOKEN-0123456789abcdef';
/** What a worker must never read, or quote: a file outside the data roots, shaped like /etc/passwd. */
const PASSWD = `root:x:0:0:root:/root:/bin/bash ${'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin '.repeat(3)}${SECRET}\nbin:x:2:2\n`;

describe('confined sources', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('confined');
    worker = spawnCpd(['worker', '--queues', 'collect,load'], t.env);
    mkdirSync(path.join(t.tmp, 'outside'));
    writeFileSync(path.join(t.tmp, 'outside', 'passwd'), PASSWD);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  /** A pipeline file in its own folder (its default data root) with one file source. */
  function pipelineWith(name: string, sourcePath: string): { dir: string; file: string } {
    const dir = path.join(t.tmp, name);
    mkdirSync(dir, { recursive: true });
    const base = JSON.parse(readFileSync(shoppersPipeline, 'utf8')) as Record<string, unknown>;
    const file = path.join(dir, 'pipeline.json');
    writeFileSync(
      file,
      JSON.stringify({ ...base, name, dataRoots: undefined, sources: [{ kind: 'file', path: sourcePath }] }),
    );
    return { dir, file };
  }

  async function failedRun(name: string, file: string, date: string) {
    const res = await runCpd(['run', '--pipeline', file, '--date', date, '--wait'], t.env, 120_000);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    const runKey = `${name}@${date}`;
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    const steps = await t.database.db.select().from(stepRuns).where(eq(stepRuns.runKey, runKey));
    const status = await runCpd(['status', runKey], t.env, 60_000);
    const everything = [res.stdout, res.stderr, status.stdout, run?.error, ...steps.map((s) => s.error)].join(
      '\n',
    );
    expect(everything).not.toContain(SECRET);
    return { run, steps, everything };
  }

  it('refuses a symlink leaving the data root, without reading it', async () => {
    const { dir, file } = pipelineWith('symlinked', 'sessions.csv');
    symlinkSync(path.join(t.tmp, 'outside', 'passwd'), path.join(dir, 'sessions.csv'));
    const { run, steps, everything } = await failedRun('symlinked', file, '2026-11-15');
    expect(run?.failedStep).toBe('collect');
    expect(run?.error).toMatch(
      /sessions\.csv resolves \(through a symlink or "\.\."\) to a file outside the data roots .*refused/,
    );
    expect(steps.map((s) => [s.step, s.errorKind])).toEqual([['collect', 'permanent']]);
    expect(everything).not.toContain('root:x:0:0');
  }, 120_000);

  it('refuses a path with .. leaving the data root', async () => {
    const { file } = pipelineWith(
      'dotdot',
      '../../../../../../../../..' + path.join(t.tmp, 'outside', 'passwd'),
    );
    const { run, everything } = await failedRun('dotdot', file, '2026-11-16');
    expect(run?.error).toMatch(/outside the data roots .*refused/);
    expect(everything).not.toContain('root:x:0:0');
  }, 120_000);

  it('a file inside the root that fails the header check is quoted only as a short escaped excerpt', async () => {
    const { dir, file } = pipelineWith('notcsv', 'sessions.csv');
    writeFileSync(path.join(dir, 'sessions.csv'), PASSWD);
    const { run } = await failedRun('notcsv', file, '2026-11-17');
    expect(run?.failedStep).toBe('load');
    const found = /found: (".*?")\)/.exec(run?.error ?? '');
    expect(found, run?.error ?? '').not.toBeNull();
    // 80 characters of the header and an ellipsis, JSON-escaped.
    expect(JSON.parse(found![1]!).length).toBeLessThanOrEqual(81);
  }, 120_000);
});
