import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DedicatedMariadb, startDedicatedMariadb } from './helpers/mariadb-server.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import {
  BASE_REDIS_URL,
  createTestEnv,
  deleteRedisPrefix,
  type TestEnv,
  waitFor,
} from './helpers/test-env.ts';
import { waitForRunningStep } from './helpers/wait-step.ts';

const DATE = '2026-11-13';
const RUN_KEY = `blip@${DATE}`;

/**
 * The database restarts (a few seconds down) while `cpd run --wait` follows a run: the waiting
 * client rides it out and exits 0 when the run succeeds. The restarted server is a mariadbd of the
 * test's own, never the shared one.
 */
describe('waiting clients ride out a database restart', () => {
  let t: TestEnv;
  let db: DedicatedMariadb | undefined;
  let dir: string;
  let worker: CpdProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpd-mariadb-'));
    db = await startDedicatedMariadb(dir);
    // Backoff long enough for the worker's retries to outlast the restart.
    t = await createTestEnv('dbblip', { DATABASE_URL: `${db.url}/cpd_blip`, CPD_BACKOFF_MS: '2000' });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.database.close().catch(() => undefined);
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
    // What cleanup() does for the shared server's tests: the queue prefix and the temp folder go too.
    if (t) {
      await deleteRedisPrefix(BASE_REDIS_URL, t.config.CPD_QUEUE_PREFIX);
      rmSync(t.tmp, { recursive: true, force: true });
    }
  });

  it('cpd run --wait exits 0 when the run succeeds, saying it reconnected', async () => {
    const { pipeline } = writeShoppersSlice(t.tmp, 1_500, { name: 'blip', model: { nTrees: 150 } });
    worker = spawnCpd(['worker'], t.env);
    const run = runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait'], t.env, 300_000);
    await waitForRunningStep(t.database.db, RUN_KEY, 'train', 200_000);
    await db!.stop();
    // Down for a few seconds: long enough that the waiting client's polls (every 0.4 s) hit it.
    await new Promise((r) => setTimeout(r, 3_000));
    await db!.start();

    const res = await run;
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    expect(res.stderr).toMatch(/lost the connection while reading the run ledger .*retrying for up to 120s/);
    expect(res.stderr).toMatch(/reconnected after \d+s; carrying on/);
    expect(res.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(res.stdout).toMatch(/succeeded/);
  }, 300_000);

  it('the runs console rides out a restart too: the page asked for while the database is down arrives', async () => {
    const viewer = { user: 'blipviewer', password: 'blip-viewer-password' };
    const board = spawnCpd(['board'], {
      ...t.env,
      BOARD_VIEWER_USER: viewer.user,
      BOARD_VIEWER_PASSWORD: viewer.password,
      BOARD_OPERATOR_PASSWORD: 'blip-operator-password',
      BOARD_PORT: '0',
      BOARD_HOST: '127.0.0.1',
    });
    try {
      const url = await waitFor(
        'the board to listen',
        async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(board.output())?.[1],
        60_000,
      );
      const auth = `Basic ${Buffer.from(`${viewer.user}:${viewer.password}`).toString('base64')}`;
      await db!.stop();
      const page = fetch(`${url}/runs`, { headers: { authorization: auth } });
      await new Promise((r) => setTimeout(r, 3_000));
      await db!.start();
      const res = await page;
      const body = await res.text();
      expect(res.status, body + board.output()).toBe(200);
      expect(body).toContain(`data-date="${DATE}"`);
      expect(board.output()).toMatch(/lost the connection while reading the run ledger/);
    } finally {
      await board.stop();
    }
  }, 120_000);
});
