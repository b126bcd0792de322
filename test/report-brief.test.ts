import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ParsedMail } from 'mailparser';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpdProcess, repoRoot, runCpd, spawnCpd } from './helpers/processes.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const retailGz = path.join(repoRoot, 'data', 'online-retail-sample.csv.gz');
const NIGHTS = ['2011-09-10', '2011-09-11'];
const TOP_N = 15;
const SECTIONS = ['verdict', 'actions', 'segments', 'changes', 'health', 'full-list'];

/**
 * Every 2nd line of the repository's Online Retail sample, and a pipeline whose cutoff is the business date: two
 * nights over the same file, so the second night's load skips it (the "-100 %" night) while the
 * scores still move by a day.
 */
function writeRetail(dir: string): string {
  const lines = gunzipSync(readFileSync(retailGz)).toString('utf8').split('\n');
  const [header, ...data] = lines;
  // Under the test's data root: sources outside the data roots are refused.
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const csv = path.join(dir, 'data', 'retail.csv');
  writeFileSync(csv, [header, ...data.filter((l, i) => l && i % 2 === 0)].join('\n') + '\n');
  const base = JSON.parse(
    readFileSync(path.join(repoRoot, 'config', 'pipelines', 'online-retail.json'), 'utf8'),
  ) as { sources: Record<string, unknown>[]; label: Record<string, unknown> };
  const pipeline = path.join(dir, 'retail.json');
  writeFileSync(
    pipeline,
    JSON.stringify({
      ...base,
      name: 'brief-test',
      sources: [{ ...base.sources[0], path: csv }],
      label: { horizonDays: 90 },
      recipients: ['marketing@example.test'],
      model: { engine: 'hist', nTrees: 30, maxDepth: 6, seed: 7 },
      brief: { topN: TOP_N },
    }),
  );
  return pipeline;
}

/** The text of each body row of the table in one section of the brief. */
function sectionRows(html: string, id: string): string[][] {
  const start = html.indexOf(`id="${id}"`);
  const end = html.indexOf('<tr><td id="', start + 1);
  const section = html.slice(start, end < 0 ? undefined : end);
  const body = section.slice(section.indexOf('<tbody>'), section.indexOf('</tbody>'));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => decode(c[1]!.replace(/<[^>]+>/g, ''))),
  );
}

function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A reason in words: starts with a capital or a figure, has several words, no raw feature=contribution form. */
function isSentence(reason: string): boolean {
  return (
    /^[A-Z0-9£$]/.test(reason) && reason.split(' ').length >= 3 && !/[+−-]0\.\d{2}\b|[{}]|_/.test(reason)
  );
}

describe('the stakeholder brief of a transactions pipeline, two nights', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;
  let mail: ParsedMail;
  let html = '';
  /** The text part with its line wrapping undone. */
  let text = '';

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('reportbrief', { SMTP_URL: smtp.url, OPS_TO: 'ops@example.test' });
    const pipeline = writeRetail(t.tmp);
    worker = spawnCpd(['worker'], t.env);
    for (const date of NIGHTS) {
      const res = await runCpd(
        ['run', '--pipeline', pipeline, '--date', date, '--wait', '--json'],
        t.env,
        300_000,
      );
      expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    }
    // The report step mails before the run is closed, but SMTP parsing is asynchronous: wait for both.
    const deadline = Date.now() + 30_000;
    while (smtp.received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received).toHaveLength(2);
    const second = smtp.received.find((m) => m.subject?.includes(NIGHTS[1]!));
    expect(second).toBeDefined();
    mail = second!;
    html = String(mail.html);
    text = String(mail.text).replace(/\s+/g, ' ');
    mkdirSync(path.join(repoRoot, 'test', 'artifacts'), { recursive: true });
    writeFileSync(path.join(repoRoot, 'test', 'artifacts', 'brief.txt'), String(mail.text));
  }, 600_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  it('reads top to bottom: verdict, action list, segments, what changed, health, the full list', () => {
    const at = SECTIONS.map((id) => html.indexOf(`id="${id}"`));
    expect(
      at.every((i) => i > 0),
      JSON.stringify(at),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(mail.subject).toMatch(
      /^\[cpd\] brief-test 2011-09-11 succeeded: [\d,]+ likely buyers among [\d,]+ customers$/,
    );
    expect(text).toMatch(/[\d,]+ of [\d,]+ customers are likely to buy in the next 90 days; the top 10 %/);
    expect(mail.text).toMatch(/expected buyers:\s+[\d,]+ \((no change|[+−][\d,]+) vs last night\)/);
    expect(mail.text).toMatch(/model quality \(ROC-AUC\):\s+(Excellent|Good|Fair|Weak|Poor) 0\.\d\d/);
    // Ops matters stay out of the stakeholders' mail; the model card is linked, not mailed.
    expect(mail.text).not.toMatch(/npx cpd|Calibration|PR-AUC/);
    expect(text).toContain('Details for analysts (model card): file://');
    expect(Buffer.byteLength(html)).toBeLessThan(100_000);
  });

  it('the action list is the top N of the published table, in order, with every reason a sentence', async () => {
    const [rows] = await t.database.pool.query(
      "SELECT customer_id, reasons FROM customer_scores WHERE pipeline = 'brief-test' ORDER BY score DESC, customer_id LIMIT ?",
      [TOP_N],
    );
    const top = rows as { customer_id: string; reasons: unknown }[];
    const listed = sectionRows(html, 'actions');
    expect(listed.map((r) => r[1])).toEqual(top.map((r) => r.customer_id));
    const why = listed.flatMap((r) => r.at(-1)!.split('; '));
    expect(why.length).toBeGreaterThanOrEqual(TOP_N);
    for (const reason of why) expect(isSentence(reason), reason).toBe(true);
    // MySQL keeps the machine form beside the sentence.
    for (const r of top) {
      const reasons = (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) as {
        feature: string;
        contribution: number;
        sentence: string;
      }[];
      expect(reasons.length).toBeGreaterThan(0);
      for (const x of reasons) {
        expect(typeof x.feature).toBe('string');
        expect(Number.isFinite(x.contribution)).toBe(true);
        expect(isSentence(x.sentence), x.sentence).toBe(true);
      }
    }
  });

  it('attaches the whole target list, as many rows as the mail and the file name say', async () => {
    const csvPart = mail.attachments.find((a) => a.filename?.endsWith('.csv'));
    expect(csvPart).toBeDefined();
    const said = /Attached: (\S+\.csv), the whole target list \([^)]*\): ([\d,]+) customers/.exec(text);
    expect(said?.[1]).toBe(csvPart!.filename);
    const count = Number(said![2]!.replace(/,/g, ''));
    expect(csvPart!.filename).toBe(`brief-test-2011-09-11-target-list-${count}-customers.csv`);
    const lines = csvPart!.content.toString('utf8').trim().split('\r\n');
    expect(lines).toHaveLength(count + 1);
    // mailparser drops the byte-order mark the file starts with.
    expect(lines[0]!.replace(/^\ufeff/, '')).toBe('"rank","customer_id","chance","segment","reasons"');
    const [targets] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM customer_scores WHERE pipeline = 'brief-test' AND segment IN ('high', 'medium')",
    );
    expect(Number((targets as { n: number }[])[0]!.n)).toBe(count);
    for (const line of lines.slice(1, 40)) {
      const reasons = /"([^"]*)"$/.exec(line)![1]!.split('; ');
      for (const reason of reasons) expect(isSentence(reason), reason).toBe(true);
    }
  });

  it('the night whose file was skipped says "unchanged (file skipped)", not -100 %', async () => {
    expect(text).toContain('unchanged (file skipped)');
    const card = readFileSync(
      path.join(t.env.REPORT_DIR!, 'brief-test', NIGHTS[1]!, 'model-card.html'),
      'utf8',
    );
    expect(card).toContain('unchanged (file skipped)');
    expect(card).not.toContain('-100.0%');
    // The first night loaded the file: its mail counts rows, it never says skipped.
    const first = smtp.received.find((m) => m.subject?.includes(NIGHTS[0]!))!;
    expect(first.text).not.toContain('file skipped');
    expect(first.text?.replace(/\s+/g, ' ')).toMatch(/Data: [^.]*; [\d,]+ rows loaded\./);
  });

  it('fits a 390 px phone and a 1,280 px screen: no sideways scroll, every image loaded, the verdict on screen', async () => {
    // The mail's HTML as a client shows it: mailparser inlines the cid: images as data: URIs.
    const artifacts = path.join(repoRoot, 'test', 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'brief.html');
    writeFileSync(file, html);
    expect(html).not.toContain('cid:');
    const browser = await chromium.launch({
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
    try {
      for (const [width, height] of [
        [390, 844],
        [1280, 900],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height } });
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        // A string, not a function: the test's TypeScript has no DOM types.
        const layout = (await page.evaluate(`(() => {
          const verdict = document.querySelector('#verdict div').getBoundingClientRect();
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            verdictBottom: verdict.bottom,
            images: [...document.images].map((i) => ({ complete: i.complete, w: i.naturalWidth })),
          };
        })()`)) as {
          scrollWidth: number;
          innerWidth: number;
          verdictBottom: number;
          images: { complete: boolean; w: number }[];
        };
        expect(layout.scrollWidth, `width ${width}`).toBeLessThanOrEqual(layout.innerWidth);
        expect(layout.images.length).toBeGreaterThan(0);
        expect(layout.images.length).toBeLessThanOrEqual(4);
        for (const image of layout.images) expect(image.complete && image.w > 0).toBe(true);
        if (width === 390) expect(layout.verdictBottom).toBeLessThanOrEqual(height);
        await page.screenshot({ path: path.join(artifacts, `brief-${width}.png`), fullPage: true });
        await page.close();
      }
    } finally {
      await browser.close();
    }
    const sizes = smtp.raw.map((r) => r.length);
    console.log(`brief mail sizes (bytes on the wire): ${sizes.join(', ')}; html ${Buffer.byteLength(html)}`);
    // The raw message includes every part: a brief is far below the ~920 KB of the model-card mail.
    for (const size of sizes) expect(size).toBeLessThan(400_000);
  }, 120_000);
});
