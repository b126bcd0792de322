import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOutbox, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, repoRoot, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-19';
const RUN_KEY = `shoppers-test@${DATE}`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the stakeholder report of a successful night', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;
  let pipeline: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('reportmail', { SMTP_URL: smtp.url, OPS_TO: 'ops@example.test' });
    // Every 3rd session's outcome unknown: the 500 customers the target list and CSV may hold.
    pipeline = writeShoppersSlice(t.tmp, 1_500, {}, 3).pipeline;
    worker = spawnCpd(['worker'], t.env);
    const res = await runCpd(['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json'], t.env);
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    // A whole night on a two-core machine shared with other suites: generous, the run itself takes ~15 s idle.
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  it('arrives once over SMTP with HTML and text parts, every cid image inline, the CSV and JSON attached', async () => {
    await expect.poll(() => smtp.received.length).toBe(1);
    // Parsed again keeping the cid: links (by default mailparser inlines them as data: URIs).
    const mail = await simpleParser(smtp.raw[0]!, { keepCidLinks: true });
    const raw = smtp.raw[0]!.toString('latin1');
    expect(mail.subject).toMatch(
      new RegExp(
        `^\\[cpd\\] shoppers-test ${DATE} succeeded: [\\d,]+ likely buyers among [\\d,]+ customers$`,
      ),
    );
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('stakeholder@example.test');
    // Text and HTML are alternatives of each other; the HTML and its images are one related part.
    expect(raw).toMatch(/Content-Type: multipart\/mixed/i);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(raw).toMatch(/Content-Type: multipart\/related/i);
    expect(mail.html).toContain('<table');

    const html = String(mail.html);
    const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]!);
    // The brief carries at most a few pictures; the model card's charts are in the archive.
    expect(cids.length).toBeGreaterThanOrEqual(1);
    expect(cids.length).toBeLessThanOrEqual(4);
    const inline = mail.attachments.filter((a) => a.contentDisposition === 'inline');
    for (const cid of cids) {
      const part = inline.find((a) => a.cid === cid);
      expect(part, `inline part for cid:${cid}`).toBeDefined();
      expect(part!.contentType).toBe('image/png');
      expect(part!.content.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    }
    expect(inline).toHaveLength(cids.length);

    const attached = mail.attachments.filter((a) => a.contentDisposition === 'attachment');
    expect(attached.map((a) => a.filename).sort()).toEqual([
      `shoppers-test-${DATE}-metrics.json`,
      expect.stringMatching(new RegExp(`^shoppers-test-${DATE}-target-list-\\d+-customers\\.csv$`)),
    ]);
    const csv = attached.find((a) => a.filename?.endsWith('.csv'))!.content.toString('utf8');
    // The whole target list (top and next segments of the customers whose outcome is not known), with reasons.
    const listed = Number(
      /target-list-(\d+)-customers/.exec(attached.find((a) => a.filename?.endsWith('.csv'))!.filename!)![1],
    );
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThanOrEqual(500);
    expect(csv.split('\r\n')[0]!.replace(/^\ufeff/, '')).toBe(
      '"rank","customer_id","chance","segment","reasons"',
    );
    expect(csv.trim().split('\r\n')).toHaveLength(listed + 1);
    const metrics = JSON.parse(
      attached.find((a) => a.filename?.endsWith('.json'))!.content.toString('utf8'),
    ) as Record<string, unknown>;
    expect(JSON.stringify(metrics)).toContain('rocAuc');

    // Every section gathered from MySQL made it into the mail (the text part prints titles in capitals).
    expect(mail.text).toMatch(
      /\*\*\* [\d,]+ of [\d,]+ customers are likely to buy; the top 10 % \([\d,]+ customers\)/,
    );
    const sections = [
      'Contact first: the top 20 customers',
      'Segments by rank',
      'What changed',
      'Data and model health',
      'Get the full list',
    ];
    for (const title of sections) expect(mail.text).toContain(title.toUpperCase());
  });

  it('writes the archive, links it from cpd status, and every image loads in headless Chromium', async () => {
    const status = JSON.parse((await runCpd(['status', RUN_KEY, '--json'], t.env)).stdout) as {
      report: string | null;
    };
    expect(status.report).toBe(path.join(t.env.REPORT_DIR!, 'shoppers-test', DATE, 'index.html'));
    expect(existsSync(status.report!)).toBe(true);
    expect((await runCpd(['status', RUN_KEY], t.env)).stdout).toContain(`report: file://${status.report}`);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
      await page.goto(`file://${status.report}`, { waitUntil: 'load' });
      const images = await page.$$eval('img', (imgs) =>
        imgs.map((img) => ({
          src: img.getAttribute('src'),
          complete: img.complete,
          width: img.naturalWidth,
        })),
      );
      expect(images.length).toBeGreaterThanOrEqual(1);
      for (const image of images) expect(image, `image ${image.src}`).toMatchObject({ complete: true });
      expect(images.filter((i) => i.width === 0)).toEqual([]);
      // The model card beside it keeps every chart.
      await page.goto(`file://${status.report!.replace(/index\.html$/, 'model-card.html')}`, {
        waitUntil: 'load',
      });
      const card = await page.$$eval('img', (imgs) => imgs.map((img) => img.naturalWidth));
      expect(card.length).toBeGreaterThanOrEqual(8);
      expect(card.filter((w) => w === 0)).toEqual([]);
      const artifacts = path.join(repoRoot, 'test', 'artifacts');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, `report-${DATE}.png`), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('a rerun of the same run key sends nothing new', async () => {
    const res = await runCpd(
      ['run', '--pipeline', pipeline, '--date', DATE, '--wait', '--json', '--rerun'],
      t.env,
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const reports = await t.database.db
      .select()
      .from(stepRuns)
      .where(
        and(eq(stepRuns.runKey, RUN_KEY), eq(stepRuns.step, 'report'), eq(stepRuns.status, 'succeeded')),
      );
    expect(reports).toHaveLength(2);
    const details = reports.map(
      (r) => (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as { mail: string },
    );
    expect(details.map((d) => d.mail)).toEqual(['sent', 'already-sent']);
    const outbox = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, RUN_KEY));
    expect(outbox.map((o) => [o.kind, o.status])).toEqual([['report', 'sent']]);
    expect(smtp.received).toHaveLength(1);
  }, 300_000);
});
