import { readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefScores, emailOutbox } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-20';
const RUN_KEY = `shoppers-test@${DATE}`;

/**
 * A rerun that changes the published scores re-sends the stakeholder brief, marked "Corrected",
 * once; a rerun that publishes the same scores sends nothing. Real worker, MySQL, Redis and an
 * SMTP server on loopback.
 */
describe('a corrected brief after a rerun', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;
  let slice: { csv: string; pipeline: string };

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('reportcorrected', { SMTP_URL: smtp.url, OPS_TO: 'ops@example.test' });
    slice = writeShoppersSlice(t.tmp, 600);
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  const run = async (...extra: string[]) => {
    const res = await runCpd(
      ['run', '--pipeline', slice.pipeline, '--date', DATE, '--wait', ...extra],
      t.env,
    );
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
  };
  const outbox = async () =>
    (await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY))).map((o) => [
      o.kind,
      o.status,
    ]);

  it('same input: no second mail; changed input: one mail marked Corrected saying what changed', async () => {
    await run();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.subject).toMatch(/^\[cpd\] shoppers-test 2026-11-20 succeeded/);

    await run('--rerun');
    expect(await outbox()).toEqual([['report', 'sent']]);
    expect(smtp.received).toHaveLength(1);

    // The file is fixed after the brief went out: 60 sessions were not in it.
    const lines = readFileSync(slice.csv, 'utf8').split('\r\n');
    writeFileSync(slice.csv, lines.slice(0, -60).join('\r\n'));
    await run('--rerun');
    expect(await outbox()).toEqual([
      ['report', 'sent'],
      ['report.corrected.g3', 'sent'],
    ]);
    expect(smtp.received).toHaveLength(2);
    const corrected = smtp.received[1]!;
    expect(corrected.subject).toMatch(/^Corrected: \[cpd\] shoppers-test 2026-11-20 succeeded/);
    const text = (corrected.text ?? '').replace(/\s+/g, ' ');
    expect(text).toContain(
      'Corrected: this brief replaces the one sent earlier for shoppers-test, 2026-11-20',
    );
    expect(text).toContain('540 customers scored (was 600)');
    expect(corrected.html).toContain('Corrected: this brief replaces the one sent earlier');

    const digests = await t.database.db
      .select()
      .from(briefScores)
      .where(eq(briefScores.runKey, RUN_KEY))
      .orderBy(briefScores.generation);
    expect(digests.map((d) => [d.generation, d.customers, d.kind])).toEqual([
      [1, 600, 'report'],
      [2, 600, 'report'],
      [3, 540, 'report.corrected.g3'],
    ]);
    expect(digests[1]!.checksum).toBe(digests[0]!.checksum);
    expect(digests[2]!.checksum).not.toBe(digests[1]!.checksum);
  }, 900_000);
});
