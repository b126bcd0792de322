import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipeline } from '../config/pipeline.ts';
import { auditLog, pipelineRuns, scheduleTicks } from '../db/schema/index.ts';
import { createRun, runStarted, stepAttemptStarted } from '../ledger/run-ledger.ts';
import { type CpdProcess, repoRoot, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const OPERATOR = { username: 'ops-cleo', password: 'operator-password-9' };
const VIEWER = { username: 'viewer-vic', password: 'viewer-password-99' };
const [SUCCEEDED, FAILED, SKIPPED, RUNNING] = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19'];
const artifacts = path.join(repoRoot, 'test', 'artifacts');

/** The colour a state is drawn in (cli/board/runs/html.ts), as the browser reports it. */
const COLOURS = {
  succeeded: 'rgb(46, 125, 50)',
  failed: 'rgb(198, 40, 40)',
  skipped: 'rgb(224, 224, 224)',
  running: 'rgb(21, 101, 192)',
};

/** An ops engineer's morning in the runs console, as a viewer and as an operator. */
describe('the runs console in a real browser', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let board: CpdProcess;
  let browser: Browser;
  let url: string;
  let csv: string;

  beforeAll(async () => {
    t = await createTestEnv('runsconsole', {
      BOARD_OPERATOR_USER: OPERATOR.username,
      BOARD_OPERATOR_PASSWORD: OPERATOR.password,
      BOARD_VIEWER_USER: VIEWER.username,
      BOARD_VIEWER_PASSWORD: VIEWER.password,
      BOARD_PORT: '0',
      BOARD_HOST: '127.0.0.1',
    });
    mkdirSync(artifacts, { recursive: true });
    worker = spawnCpd(['worker'], t.env);
    board = spawnCpd(['board'], t.env);
    url = await waitFor(
      'the board to listen',
      async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(board.output())?.[1],
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });

    // Four nights: one succeeded, one failed on a missing export, one skipped by the catch-up
    // policy, one running (its collect attempt in progress).
    const slice = writeShoppersSlice(t.tmp, 600, { name: 'console' });
    csv = slice.csv;
    const ok = await runCpd(['run', '--pipeline', slice.pipeline, '--date', SUCCEEDED, '--wait'], t.env);
    expect(ok.code, ok.stdout + ok.stderr + worker.output()).toBe(0);
    renameSync(csv, `${csv}.late`);
    const failed = await runCpd(['run', '--pipeline', slice.pipeline, '--date', FAILED, '--wait'], t.env);
    expect(failed.code).toBe(1);
    await t.database.db.insert(scheduleTicks).values({
      pipeline: 'console',
      businessDate: SKIPPED,
      fireAt: new Date(`${SKIPPED}T02:00:00Z`),
      decision: 'skipped',
      scheduler: 'test:1',
      note: 'catch-up policy latest: only the most recent missed night runs',
    });
    const pipeline = parsePipeline(JSON.parse(readFileSync(slice.pipeline, 'utf8')), slice.pipeline);
    const runningKey = `console@${RUNNING}`;
    await createRun(t.database.db, runningKey, RUNNING, pipeline);
    await runStarted(t.database.db, runningKey);
    await stepAttemptStarted(t.database.db, {
      runKey: runningKey,
      step: 'collect',
      attempt: 1,
      worker: 'w:1',
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([worker?.stop(), board?.stop()]);
    await t?.cleanup();
  });

  const nightColour = (page: Page, date: string) =>
    page
      .locator(`td.run[data-date="${date}"]`)
      .evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);

  it('a viewer sees the nights in their colours, reads the failed attempt’s log, and cannot resume', async () => {
    const context = await browser.newContext({
      httpCredentials: VIEWER,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.locator('section[data-pipeline="console"]').waitFor();
    expect(await nightColour(page, SUCCEEDED)).toBe(COLOURS.succeeded);
    expect(await nightColour(page, FAILED)).toBe(COLOURS.failed);
    expect(await nightColour(page, SKIPPED)).toBe(COLOURS.skipped);
    expect(await nightColour(page, RUNNING)).toBe(COLOURS.running);
    await expect(page.locator(`td.run[data-date="${SKIPPED}"]`).textContent()).resolves.toBe('skip');
    await page.screenshot({ path: path.join(artifacts, 'runs-grid.png'), fullPage: true });

    await page.locator(`td[data-date="${FAILED}"][data-step="collect"] a`).click();
    await page.waitForURL(/\/runs\/console%40/);
    const attempt = page.locator('#attempt-collect-1');
    await expect(attempt.getAttribute('data-state')).resolves.toBe('failed');
    const log = page.locator('#step-collect pre.log');
    await expect(log.textContent()).resolves.toMatch(/ERROR step failed — source sessions: no file matches/);
    await expect(page.locator('button', { hasText: 'Resume' }).count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'run-page-failed-viewer.png'), fullPage: true });

    const refused = await context.request.post(
      `${url}/runs/${encodeURIComponent(`console@${FAILED}`)}/resume`,
      {
        form: { _csrf: 'anything' },
        headers: { origin: url },
      },
    );
    expect(refused.status()).toBe(403);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.role, 'viewer'));
    expect(audit).toEqual([
      expect.objectContaining({
        user: VIEWER.username,
        action: 'run-resume',
        jobId: `console@${FAILED}`,
        status: 403,
      }),
    ]);
    await context.close();
  });

  it('an operator puts the file back, clicks Resume and sees the run finish; a forged post is refused', async () => {
    renameSync(`${csv}.late`, csv);
    const runKey = `console@${FAILED}`;
    const forged = await fetch(`${url}/runs/${encodeURIComponent(runKey)}/resume`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '_csrf=forged',
    });
    expect(forged.status).toBe(403);

    const context = await browser.newContext({
      httpCredentials: OPERATOR,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${url}/runs/${encodeURIComponent(runKey)}`);
    await page.locator('button', { hasText: 'Resume' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toMatch(
      /now exists: restarted from collect as generation 2/,
    );
    const status = await waitFor(
      'the resumed run to finish',
      async () => {
        await page.reload();
        const s = await page.locator('#run-status').textContent();
        return s === 'running' || s === 'pending' ? undefined : s;
      },
      240_000,
      1_000,
    );
    expect(status, worker.output()).toBe('succeeded');
    await expect(page.locator('#step-report').getAttribute('data-state')).resolves.toBe('succeeded');
    await page.screenshot({ path: path.join(artifacts, 'run-page-resumed-operator.png'), fullPage: true });
    await context.close();

    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    expect(run).toMatchObject({ status: 'succeeded', generation: 2 });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.role, 'operator'));
    expect(audit.map((a) => [a.action, a.jobId, a.status])).toEqual([
      ['run-resume', runKey, 403],
      ['run-resume', runKey, 303],
    ]);
  }, 300_000);
});
