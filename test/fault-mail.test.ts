import { eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { emailOutbox, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { freePort } from './helpers/redis-server.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const ROWS = 600;
const MODEL = { nTrees: 20 };
// Short lock, lease and retry delays: a dead worker's job and mail come back within seconds, not minutes.
const FAST = {
  CPD_LOCK_DURATION_MS: '5000',
  CPD_STALLED_INTERVAL_MS: '2000',
  // Longer than one SMTP transaction on a loaded machine, or a live sender's mail would be taken for a crashed one.
  CPD_MAIL_LEASE_MS: '8000',
  CPD_MAIL_POLL_MS: '300',
  CPD_MAIL_RETRY_MS: '500',
  CPD_MAIL_RETRY_MAX_MS: '1000',
};

describe('mail: at least once, deduplicated, independent of the night', () => {
  const envs: TestEnv[] = [];
  const servers: TestSmtp[] = [];
  const workers: CpdProcess[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await Promise.all(envs.map((t) => t.cleanup()));
    await Promise.all(servers.map((s) => s.close()));
  });

  async function outboxOf(t: TestEnv, runKey: string) {
    return t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, runKey));
  }

  it('a worker killed after the SMTP server accepted the report: two copies at most, same Message-ID, the resend recorded', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const t = await createTestEnv('faultmail', { SMTP_URL: smtp.url, ...FAST });
    envs.push(t);
    const { pipeline } = writeShoppersSlice(t.tmp, ROWS, { name: 'mailcrash', model: MODEL });
    const runKey = 'mailcrash@2026-11-10';
    const doomed = spawnCpd(['worker'], { ...t.env, CPD_FAULT: 'mail.after-smtp-accept' });
    workers.push(doomed);
    const exited = new Promise((resolve) => doomed.child.once('exit', (_c, s) => resolve(s)));
    const run = runCpd(['run', '--pipeline', pipeline, '--date', '2026-11-10', '--wait'], t.env, 240_000);
    expect(await exited, doomed.output()).toBe('SIGKILL');
    // The window was hit: the server has the mail, the outbox still says `sending`.
    expect(smtp.received).toHaveLength(1);
    expect((await outboxOf(t, runKey)).map((o) => [o.kind, o.status])).toEqual([['report', 'sending']]);

    workers.push(spawnCpd(['worker'], t.env));
    const res = await run;
    expect(res.code, res.stdout + res.stderr).toBe(0);
    await waitFor(
      'the report to be marked sent',
      async () => (await outboxOf(t, runKey))[0]?.status === 'sent',
    );
    const [row] = await outboxOf(t, runKey);
    expect(row).toMatchObject({ kind: 'report', status: 'sent', resends: 1, attempts: 2 });
    const copies = smtp.received.filter((m) => m.subject?.includes('mailcrash'));
    expect(copies).toHaveLength(2);
    expect(copies[0]?.messageId).toBe(row?.messageId);
    expect(copies[1]?.messageId).toBe(row?.messageId);
  }, 240_000);

  it('SMTP down: the run ends succeeded with its scores published; the brief and one ops alert arrive once the server starts', async () => {
    const port = await freePort();
    const t = await createTestEnv('mailoutage', { SMTP_URL: `smtp://127.0.0.1:${port}`, ...FAST });
    envs.push(t);
    const { pipeline } = writeShoppersSlice(t.tmp, ROWS, { name: 'smtpdown', model: MODEL });
    const runKey = 'smtpdown@2026-11-11';
    workers.push(spawnCpd(['worker'], t.env));
    const res = await runCpd(
      ['run', '--pipeline', pipeline, '--date', '2026-11-11', '--wait'],
      t.env,
      240_000,
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const [run] = await t.database.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    expect(run?.status).toBe('succeeded');
    const [published] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'smtpdown'",
    );
    expect(Number((published as { n: number }[])[0]!.n)).toBeGreaterThan(0);
    const report = await t.database.db.select().from(stepRuns).where(eq(stepRuns.runKey, runKey));
    expect(
      report.filter((s) => s.step === 'report').map((s) => [s.status, (s.details as { mail: string }).mail]),
    ).toEqual([['succeeded', 'queued']]);
    // While the server is down the dispatcher keeps both mails pending, retrying.
    await waitFor(
      'the ops alert queued and retried',
      async () => {
        const rows = await outboxOf(t, runKey);
        const alert = rows.find((r) => r.kind === 'alert-mail');
        return alert && alert.attempts >= 1 && rows.every((r) => r.status === 'pending');
      },
      30_000,
    );

    const smtp = await startSmtp(port);
    servers.push(smtp);
    await waitFor(
      'both mails sent',
      async () => (await outboxOf(t, runKey)).every((r) => r.status === 'sent'),
      30_000,
    );
    const rows = await outboxOf(t, runKey);
    expect(rows.map((r) => r.kind).sort()).toEqual(['alert-mail', 'report']);
    expect(rows.every((r) => r.resends === 0)).toBe(true);
    await expect.poll(() => smtp.received.length).toBe(2);
    const alerts = smtp.received.filter((m) =>
      m.subject?.startsWith('[cpd] MAIL DELAYED smtpdown@2026-11-11'),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toMatch(
      /report mail of run smtpdown@2026-11-11 could not be delivered: .*ECONNREFUSED/,
    );
    expect(
      smtp.received.filter((m) => m.subject?.startsWith('[cpd] smtpdown 2026-11-11 succeeded')),
    ).toHaveLength(1);
  }, 240_000);
});
