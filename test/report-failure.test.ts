import { readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.ts';
import { emailOutbox } from '../db/schema/index.ts';
import { sendFailureReport } from '../reports/failure-report.ts';
import { createMailer } from '../reports/mailer.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const recipient = (m: TestSmtp['received'][number]) => (m.to && 'text' in m.to ? m.to.text : '');

describe('failure and degraded reports', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('reportfail', { SMTP_URL: smtp.url, OPS_TO: 'ops@example.test' });
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  it('a run that fails for good mails stakeholders plain words (ops the command), once', async () => {
    const { csv, pipeline } = writeShoppersSlice(t.tmp, 300, { name: 'broken' });
    writeFileSync(csv, readFileSync(csv, 'utf8').replace(/,Revenue\r\n/, ',Outcome\r\n'));
    const runKey = 'broken@2026-11-22';
    const res = await runCpd(['run', '--pipeline', pipeline, '--date', '2026-11-22', '--wait'], t.env);
    expect(res.code).toBe(1);

    // The ledger says failed before the runner renders the report (a few seconds of CPU): wait for the mail.
    await expect
      .poll(() => smtp.received.filter((m) => recipient(m).includes('stakeholder@example.test')).length, {
        timeout: 60_000,
      })
      .toBe(1);
    const mail = smtp.received.find((m) => recipient(m).includes('stakeholder@example.test'))!;
    expect(mail.subject).toBe(
      '[cpd] broken 2026-11-22 failed: step load (data contract), previous scores kept',
    );
    // Stakeholders read what happened in plain words, what they still have and when the next list
    // comes; the shell command is for ops (their alert, and the archived model card).
    const text = String(mail.text).replace(/\s+/g, ' ');
    expect(text).toContain('No new customer list tonight');
    expect(text).toContain('the input data did not look as expected');
    expect(text).toContain('column "Revenue" is missing');
    expect(text).toContain('There is no earlier list yet');
    expect(text).toContain('The next list comes with the next nightly run (');
    expect(text).not.toContain('npx cpd');
    expect(mail.html).not.toContain('npx cpd');
    // Ops get their own alert, to their own list.
    await expect
      .poll(() => smtp.received.filter((m) => recipient(m).includes('ops@example.test')).length, {
        timeout: 60_000,
      })
      .toBe(1);

    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, runKey));
    expect(outbox.map((o) => [o.kind, o.status]).sort()).toEqual([
      ['alert-failed', 'sent'],
      ['report-failed', 'sent'],
    ]);
    const status = JSON.parse((await runCpd(['status', runKey, '--json'], t.env)).stdout) as {
      report: string | null;
    };
    expect(status.report).toMatch(/broken\/2026-11-22\/index\.html$/);
    const card = readFileSync(status.report!.replace(/index\.html$/, 'model-card.html'), 'utf8');
    expect(card).toContain(`npx cpd resume ${runKey}`);
    expect(card).toContain('No scores had been published for this pipeline yet, so nothing was replaced.');

    // A second final failure of the same run (another step attempt, another worker) sends nothing new.
    const mailer = createMailer(t.config);
    try {
      const again = await sendFailureReport(
        {
          db: t.database.db,
          pool: t.database.pool,
          config: t.config,
          mailer,
          log: createLogger({ LOG_LEVEL: 'silent' }),
        },
        runKey,
      );
      expect(again?.mail).toEqual({ sent: false, reason: 'already-sent' });
    } finally {
      mailer.close();
    }
    expect(smtp.received).toHaveLength(2);
  });

  it('a night whose publish gate refuses the scores mails a degraded report that keeps yesterday’s scores', async () => {
    const before = smtp.received.length;
    const gates = { rowCount: { minShare: 0.99, minShareOfPrevious: 1, action: 'block' } };
    const first = writeShoppersSlice(t.tmp, 600, { name: 'gated', gates });
    expect(
      (await runCpd(['run', '--pipeline', first.pipeline, '--date', '2026-11-20', '--wait'], t.env)).code,
    ).toBe(0);
    // Tonight's export has fewer rows than last night's: below the 100 % of previous the gate asks for.
    const second = writeShoppersSlice(t.tmp, 400, { name: 'gated', gates });
    const res = await runCpd(
      ['run', '--pipeline', second.pipeline, '--date', '2026-11-21', '--wait', '--json'],
      t.env,
    );
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'degraded' });

    // The ledger says degraded as soon as the score step refused to publish; the report step follows.
    await expect
      .poll(
        () =>
          smtp.received
            .slice(before)
            .filter((m) => m.subject?.includes('2026-11-21') && recipient(m).includes('stakeholder')).length,
        { timeout: 60_000 },
      )
      .toBe(1);
    const mail = smtp.received
      .slice(before)
      .find((m) => m.subject?.includes('2026-11-21') && recipient(m).includes('stakeholder'))!;
    expect(mail.subject).toMatch(
      /^\[cpd\] gated 2026-11-21 degraded: 400 customers scored, ROC-AUC 0\.\d{3}, scores not published, score \(model gate\)$/,
    );
    const text = String(mail.text).replace(/\s+/g, ' ');
    expect(text).toContain("Tonight's list was held back");
    expect(text).toContain('You still have the last published list (business date 2026-11-20)');
    expect(text).not.toContain('npx cpd');
    const kinds = async () =>
      (await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, 'gated@2026-11-21')))
        .map((o) => o.kind)
        .sort();
    await expect.poll(kinds, { timeout: 30_000 }).toEqual(['alert-degraded', 'report']);
  }, 300_000);
});
