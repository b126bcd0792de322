import { renameSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { auditLog, emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const OPERATOR = { username: 'ops-cleo', password: 'operator-password-9' };
const DATE = '2026-11-23';
const RUN_KEY = `retried@${DATE}`;

/** An operator at 3 a.m.: collect failed on a missing export; they put the file back and click Retry in Bull Board. */
describe('a failed step retried from Bull Board in a real browser', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;
  let board: CpdProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('boardretry', {
      SMTP_URL: smtp.url,
      BOARD_OPERATOR_USER: OPERATOR.username,
      BOARD_OPERATOR_PASSWORD: OPERATOR.password,
      BOARD_PORT: '0',
      BOARD_HOST: '127.0.0.1',
    });
    worker = spawnCpd(['worker'], t.env);
    board = spawnCpd(['board'], t.env);
    url = await waitFor(
      'the board to listen',
      async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(board.output())?.[1],
      60_000,
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([worker?.stop(), board?.stop()]);
    await t?.cleanup();
    await smtp?.close();
  });

  it('resumes the chain, sends exactly one report and records the retry in audit_log', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 1_000, { name: 'retried' });
    renameSync(csv, `${csv}.late`);
    const failed = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json'], t.env);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
    expect(run).toMatchObject({ status: 'failed', failedStep: 'collect' });
    expect(run?.error).toContain('no file matches');

    renameSync(`${csv}.late`, csv);
    const context = await browser.newContext({ httpCredentials: OPERATOR });
    const page = await context.newPage();
    await page.goto(`${url}/board/queue/collect?status=failed`);
    const jobId = `${RUN_KEY}.g1.collect`;
    await page.getByText(jobId).first().waitFor();
    // The job card's actions are icon buttons named by a tooltip: hover each until one says Retry, as a person would.
    const actions = page.locator('li [data-base-ui-tooltip-trigger] button');
    let clicked = false;
    for (let i = 0; i < (await actions.count()) && !clicked; i++) {
      await actions.nth(i).hover();
      const tip = page.getByText('Retry', { exact: true });
      if (
        await tip.waitFor({ timeout: 1_500 }).then(
          () => true,
          () => false,
        )
      ) {
        await actions.nth(i).click();
        clicked = true;
      }
    }
    expect(clicked, 'a button whose tooltip says Retry').toBe(true);
    // "Are you sure that you want to retry this job?"
    await page.locator('button', { hasText: 'Confirm' }).click();
    await waitFor(
      'the retry in audit_log',
      async () => (await t.database.db.select().from(auditLog))[0]?.status,
    );
    await context.close();

    const done = await waitFor(
      'the run to finish after the retry',
      async () => {
        const [r] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
        return r?.finishedAt && r.status !== 'failed' && r.status !== 'running' ? r : undefined;
      },
      300_000,
      250,
    );
    expect(done.status, worker.output()).toBe('succeeded');
    const succeeded = await t.database.db
      .select({ step: stepRuns.step })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.status, 'succeeded')));
    expect(new Set(succeeded.map((s) => s.step))).toEqual(new Set(stepNames));

    // The failure itself sent ops their alert and stakeholders the failure report; the retried
    // night then sends exactly one report, and nothing is sent twice.
    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
    expect(outbox.map((m) => m.kind).sort()).toEqual(['alert-failed', 'report', 'report-failed']);
    await expect.poll(() => smtp.received.length).toBe(outbox.length);
    const report = outbox.find((m) => m.kind === 'report')!;
    expect(report.subject).toContain('retried');
    expect(smtp.received.filter((m) => m.subject === report.subject)).toHaveLength(1);

    const audit = await t.database.db.select().from(auditLog);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      user: OPERATOR.username,
      role: 'operator',
      method: 'PUT',
      action: 'retry',
      queue: 'collect',
      jobId,
    });
    expect(audit[0]!.status).toBeGreaterThanOrEqual(200);
    expect(audit[0]!.status).toBeLessThan(300);

    // The scrape after the run shows what ops graph: last success, scored customers, ROC-AUC.
    const metrics = await (
      await fetch(`${url}/metrics`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}`,
        },
      })
    ).text();
    expect(metrics).toMatch(/^cpd_pipeline_last_success_timestamp_seconds\{pipeline="retried"\} \d+/m);
    expect(metrics).toMatch(/^cpd_customers_scored\{pipeline="retried"\} 1000$/m);
    expect(Number(/^cpd_model_roc_auc\{pipeline="retried"\} (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(
      0.7,
    );
    expect(metrics).toMatch(/^cpd_failed_jobs\{queue="collect"\} 0$/m);
  }, 400_000);
});
