import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/processes.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * A newcomer's machine: the committed repository cloned into an empty folder (no sibling
 * checkout, no shared data), node_modules linked in place of `npm ci`, then `npm run demo`.
 * Anything the demo reads from outside the repository makes this test fail.
 */
describe('a fresh clone', () => {
  let t: TestEnv;
  let outer: string;

  beforeAll(async () => {
    t = await createTestEnv('freshclone');
    outer = mkdtempSync(path.join(os.tmpdir(), 'cpd-fresh-'));
  });

  afterAll(async () => {
    rmSync(outer, { recursive: true, force: true });
    await t?.cleanup();
  });

  it('runs the demo (both pipelines) to succeeded runs with nothing beside it', async () => {
    const clone = path.join(outer, 'cpd');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone]);
    execFileSync('git', ['checkout', '--quiet', head], { cwd: clone });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    expect(readdirSync(outer)).toEqual(['cpd']);
    expect(existsSync(path.join(clone, 'data', 'online_shoppers_intention.csv'))).toBe(true);

    // The demo's defaults for outbox and reports (relative to the clone); only the database and
    // queue prefix are the test's own.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.env.DATABASE_URL,
      CPD_QUEUE_PREFIX: t.env.CPD_QUEUE_PREFIX,
    };
    for (const k of ['OUTBOX_DIR', 'REPORT_DIR', 'DATA_DIR']) delete env[k];
    const res = await run(process.execPath, ['bin/cpd.mjs', 'demo'], clone, {
      ...env,
      LOG_LEVEL: 'warn',
      CPD_THREADS: '2',
    });
    expect(res.code, res.out).toBe(0);
    expect(res.out).toMatch(/succeeded/);

    const [runs] = await t.database.pool.query(
      'SELECT pipeline, status FROM pipeline_runs ORDER BY pipeline',
    );
    expect(runs, res.out).toEqual([
      { pipeline: 'online-retail', status: 'succeeded' },
      { pipeline: 'online-shoppers', status: 'succeeded' },
    ]);
    const [scores] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'online-shoppers'",
    );
    expect(Number((scores as { n: number }[])[0]!.n)).toBeGreaterThan(1000);
    const [customers] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'online-retail'",
    );
    expect(Number((customers as { n: number }[])[0]!.n)).toBeGreaterThan(300);
    expect(readdirSync(path.join(clone, 'reports', 'outbox')).some((f) => f.endsWith('.eml'))).toBe(true);
    // The outbox .html opens in a browser with its images: no cid: reference a browser cannot resolve.
    const outbox = path.join(clone, 'reports', 'outbox');
    const pages = readdirSync(outbox).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(0);
    for (const f of pages) expect(readFileSync(path.join(outbox, f), 'utf8')).not.toMatch(/src="cid:/);
  }, 600_000);
});

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}
