import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { customerScores, emailOutbox, pipelineRuns, rejectedRows, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-20';
const RUN_KEY = `shoppers-test@${DATE}`;

describe('the nightly flow across two worker processes', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let workers: CpdProcess[] = [];
  let pipeline: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('flow', { SMTP_URL: smtp.url });
    pipeline = writeShoppersSlice(t.tmp, 2_000).pipeline;
    workers = [
      spawnCpd(['worker', '--queues', 'collect,load,clean,features'], t.env),
      spawnCpd(['worker', '--queues', 'train,evaluate,score,report'], t.env),
    ];
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.cleanup();
    await smtp?.close();
  });

  async function counts() {
    const { db } = t.database;
    const [scores] = await db
      .select({ n: count() })
      .from(customerScores)
      .where(eq(customerScores.pipeline, 'shoppers-test'));
    const [rejected] = await db
      .select({ n: count() })
      .from(rejectedRows)
      .where(eq(rejectedRows.runKey, RUN_KEY));
    const [mails] = await db.select({ n: count() }).from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
    const [raw] = await t.database.pool.query('SELECT COUNT(*) AS n FROM raw_rows WHERE run_key = ?', [
      RUN_KEY,
    ]);
    const [clean] = await t.database.pool.query('SELECT COUNT(*) AS n FROM clean_rows WHERE run_key = ?', [
      RUN_KEY,
    ]);
    const [models] = await t.database.pool.query(
      'SELECT COUNT(*) AS n FROM model_versions WHERE run_key = ?',
      [RUN_KEY],
    );
    const n = (rows: unknown) => Number((rows as { n: number }[])[0]!.n);
    return {
      scores: scores!.n,
      rejected: rejected!.n,
      mails: mails!.n,
      raw: n(raw),
      clean: n(clean),
      models: n(models),
    };
  }

  it('runs every step, scores every row and mails the metrics once', async () => {
    const res = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json'], t.env);
    expect(res.code, res.stdout + res.stderr + workers.map((w) => w.output()).join('\n')).toBe(0);
    const summary = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
      status: string;
      steps: {
        step: string;
        status: string;
        rowsIn: number | null;
        rowsOut: number | null;
        rowsRejected: number | null;
      }[];
      metrics: { rocAuc: number; f1: number };
    };
    expect(summary.status).toBe('succeeded');

    const { db } = t.database;
    const done = await db
      .select({ step: stepRuns.step })
      .from(stepRuns)
      .where(sql`${stepRuns.runKey} = ${RUN_KEY} AND ${stepRuns.status} = 'succeeded'`);
    expect(new Set(done.map((d) => d.step))).toEqual(new Set(stepNames));

    const load = summary.steps.find((s) => s.step === 'load')!;
    expect(load.rowsIn).toBe(2_000);
    expect(load.rowsOut! + load.rowsRejected!).toBe(load.rowsIn);

    const c = await counts();
    expect(c.scores).toBe(2_000);
    expect(summary.metrics.rocAuc).toBeGreaterThan(0.8);

    await expect.poll(() => smtp.received.length).toBe(1);
    const mail = smtp.received[0]!;
    expect(mail.subject).toContain('shoppers-test');
    expect(mail.subject).toContain(DATE);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('stakeholder@example.test');
    // The brief shows model quality as a word and two decimals ("Good 0.87"); the card keeps three.
    expect(mail.text).toMatch(
      new RegExp(`model quality \\(ROC-AUC\\):\\s+\\w+ ${summary.metrics.rocAuc.toFixed(2)}`),
    );
    expect(mail.html).toBeTruthy();
  });

  it('a rerun of the same run key replaces its output and sends no second mail', async () => {
    const before = await counts();
    const res = await runCpd(
      ['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json', '--rerun'],
      t.env,
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const after = await counts();
    expect(after).toEqual(before);
    expect(after.models).toBe(1);
    expect(smtp.received).toHaveLength(1);
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, RUN_KEY));
    expect(run?.generation).toBe(2);
    expect(run?.status).toBe('succeeded');
  });

  it('starting a run that already succeeded without --rerun starts nothing', async () => {
    const res = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--json'], t.env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout.trim())).toMatchObject({
      runKey: RUN_KEY,
      outcome: 'existing',
      status: 'succeeded',
    });
  });
});
