import { describe, expect, it } from 'vitest';
import { pngHeader } from '../charts/png-header.ts';
import { runReportFixture } from './fixture.ts';
import { renderRunReport } from './render-run-report.ts';
import type { RunReportData } from './report-data.ts';

const HOSTILE_ID = '<script>alert("x")</script>';

function hostileFixture(): RunReportData {
  const data = runReportFixture({ customers: 300 });
  const top = data.topCustomers ?? [];
  top[0] = {
    ...top[0]!,
    customerId: HOSTILE_ID,
    reasons: [{ feature: '<img src=x onerror=alert(1)>', contribution: 0.3 }],
  };
  const hostile = [
    '=HYPERLINK("http://evil.example","click")',
    '+1',
    '-2',
    '@x',
    '\tTAB',
    'a,"quoted"\nline',
  ].map((customerId, i) => ({ customerId, score: 0.99 - i / 100, segment: 'high', reasons: ['=cmd|x'] }));
  data.brief!.list = [...hostile, ...data.brief!.list];
  data.brief!.actions[0] = { ...data.brief!.actions[0]!, customerId: HOSTILE_ID };
  return data;
}

/** Enough of an HTML decoder to read back text we escaped. */
function unescapeHtml(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function cids(html: string): string[] {
  return [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('renderRunReport on a full night', async () => {
  const report = await renderRunReport(hostileFixture());

  it('pairs every cid in the HTML with exactly one image, and the reverse, in the brief and the card', () => {
    for (const page of [report, report.card]) {
      const referenced = cids(page.html);
      expect(new Set(referenced).size).toBe(referenced.length);
      expect(page.images.map((i) => i.cid).sort()).toEqual([...referenced].sort());
      for (const image of page.images) {
        expect(pngHeader(image.png).width).toBeGreaterThan(0);
        expect(page.html).toContain(`width="${image.width}" height="${image.height}"`);
      }
    }
    // The mail carries at most a few pictures; the card keeps every chart.
    expect(report.images.length).toBeLessThanOrEqual(4);
    expect(cids(report.card.html).length).toBeGreaterThanOrEqual(9);
  });

  it('the brief: sections in reading order, a verdict in words, tiles with deltas, small', () => {
    const order = ['verdict', 'actions', 'segments', 'changes', 'health', 'full-list'].map((id) =>
      report.html.indexOf(`id="${id}"`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(report.text).toMatch(
      /\d[\d,]* of 300 customers are likely to buy; the top 10 % \(30 customers\) hold \d+% of them\./,
    );
    expect(report.text).toMatch(/model quality \(ROC-AUC\):\s+(Excellent|Good|Fair|Weak|Poor) 0\.\d\d/);
    expect(report.text).toContain('vs last night');
    expect(report.text).toContain('vs 7 nights ago');
    expect(report.text).toContain('Contact first: the top 20 customers'.toUpperCase());
    expect(Buffer.byteLength(report.html)).toBeLessThan(100_000);
    // The model card is not in the mail.
    expect(report.html).not.toContain('Model quality');
    expect(report.card.html).toContain('Model quality');
  });

  it('the card has every section and the ROC/PR/confusion/lift charts', () => {
    for (const key of [
      'roc-curve',
      'pr-curve',
      'confusion-matrix',
      'lift-gains',
      'feature-importance',
      'score-distribution',
      'metric-trend',
    ]) {
      expect(report.card.images.some((i) => i.cid.startsWith(key))).toBe(true);
    }
    for (const title of [
      'Model quality',
      'Score distribution and trend',
      'Exploring the customers',
      'Data health',
      'Model decision',
      'Top 20 customers tonight',
      'Biggest score changes',
      'How to query the scores',
      'Run details',
    ]) {
      expect(report.card.html).toContain(title);
    }
  });

  it('escapes untrusted strings and stays email-safe', () => {
    for (const html of [report.html, report.card.html]) {
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).not.toMatch(/<link|<style|https?:\/\/(?!evil)/i);
    }
  });

  it('puts the key metrics in the model card text', () => {
    const m = runReportFixture({ customers: 300 }).metrics!;
    const card = report.card;
    expect(card.text).toContain(`ROC-AUC`);
    expect(card.text).toContain(m.rocAuc.toFixed(3));
    expect(card.text).toContain(m.prAuc.toFixed(3));
    expect(card.text).toContain('customers scored');
    expect(card.text).toContain(HOSTILE_ID);
    expect(card.text).toContain('SELECT customer_id, score, decile');
    // Plain text holds no markup of ours (the untrusted feature name may look like a tag).
    expect(card.text).not.toMatch(/<(table|td|tr|div)\b/);
    expect(report.text).not.toMatch(/<(table|td|tr|div)\b/);
  });

  it('formats the subject', () => {
    const b = hostileFixture().brief!;
    expect(report.subject).toBe(
      `[cpd] online-shoppers 2026-11-24 succeeded: ${Math.round(b.expectedBuyers)} likely buyers among 300 customers`,
    );
  });

  it('neutralises formula injection in the CSV and quotes fields', () => {
    const csv = report.attachments.find((a) => a.filename.endsWith('.csv'));
    // The whole target list (top 10 % + next 20 % of 300, plus the 6 hostile rows), and the name says so.
    expect(csv?.filename).toBe('online-shoppers-2026-11-24-target-list-96-customers.csv');
    expect(String(csv?.content).trim().split('\r\n')).toHaveLength(97);
    expect(String(csv?.content)).toContain(`"'=cmd|x"`);
    expect(csv?.contentType).toMatch(/^text\/csv/);
    const text = String(csv?.content);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain(`"'+1"`);
    expect(text).toContain(`"'-2"`);
    expect(text).toContain(`"'@x"`);
    expect(text).toContain(`"'\tTAB"`);
    expect(text).toContain(`"a,""quoted""\nline"`);
    expect(text).not.toMatch(/(^|,)"?=/m);
  });

  it('a target list longer than the attachment says which part is attached and where the rest is', async () => {
    const data = runReportFixture({ customers: 300 });
    const b = data.brief!;
    b.listRows = b.list.length;
    b.list = b.list.slice(0, 25);
    b.attachedRows = 25;
    const capped = await renderRunReport(data);
    const csv = capped.attachments.find((a) => a.filename.endsWith('.csv'));
    expect(String(csv?.content).trim().split('\r\n')).toHaveLength(26);
    expect(unescapeHtml(capped.html)).toContain(
      `Attached: ${csv!.filename}, the first 25 of the ${b.listRows} customers of the target list`,
    );
    expect(unescapeHtml(capped.html)).toContain('the whole list is in the table below');
  });

  it('keeps the attached list within the byte budget and says how many rows went', async () => {
    const data = runReportFixture({ customers: 300 });
    const b = data.brief!;
    b.listRows = b.list.length;
    const small = await renderRunReport(data, { attachmentBytes: 2_000 });
    const csv = small.attachments.find((a) => a.filename.endsWith('.csv'))!;
    const rows = String(csv.content).trim().split('\r\n').length - 1;
    expect(Buffer.byteLength(String(csv.content))).toBeLessThanOrEqual(2_000);
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(b.list.length);
    expect(csv.filename).toContain(`-target-list-${rows}-customers.csv`);
    expect(unescapeHtml(small.html)).toContain(`the first ${rows} of the ${b.listRows} customers`);
  });

  it('attaches the metrics as JSON', () => {
    const json = report.attachments.find((a) => a.filename.endsWith('-metrics.json'));
    const parsed = JSON.parse(String(json?.content)) as { runKey: string; metrics: { rocAuc: number } };
    expect(parsed.runKey).toBe('online-shoppers:2026-11-24');
    expect(parsed.metrics.rocAuc).toBeGreaterThan(0.5);
  });
});

describe('renderRunReport on a bad night', () => {
  it('failure: names the step, cause and resume command, and has no model charts', async () => {
    const report = await renderRunReport(runReportFixture({ status: 'failed', customers: 200 }));
    expect(report.subject).toBe(
      '[cpd] online-shoppers 2026-11-24 failed: step train (infrastructure), previous scores kept',
    );
    // Stakeholders: plain words, what they still have, when the next list comes; no shell command.
    for (const part of [unescapeHtml(report.html), report.text]) {
      expect(part).toContain('No new customer list tonight');
      expect(part).toContain('a server or database was not available');
      expect(part).toContain('There is no earlier list yet');
      expect(part).toContain('The next list comes with the next nightly run');
      expect(part).not.toMatch(/npx|cpd resume|SELECT /);
    }
    // The card (archived for ops and analysts) keeps the step, the cause and the resume command.
    for (const part of [unescapeHtml(report.card.html), report.card.text]) {
      expect(part).toContain('Step "train"');
      expect(part).toContain('infrastructure');
      expect(part).toContain('npx cpd resume online-shoppers 2026-11-24 --from train');
      expect(part).toContain("Yesterday's scores (2026-11-23) stay published");
    }
    for (const key of [
      'roc-curve',
      'pr-curve',
      'confusion-matrix',
      'lift-gains',
      'feature-importance',
      'score-distribution',
    ]) {
      expect(report.card.images.some((i) => i.cid.startsWith(key))).toBe(false);
    }
    expect(report.card.html).not.toContain('Model quality');
    expect(cids(report.html).sort()).toEqual(report.images.map((i) => i.cid).sort());
    expect(report.attachments.map((a) => a.filename)).toEqual(['online-shoppers-2026-11-24-metrics.json']);
  });

  it('degraded: explains the model gate and that scores were not published', async () => {
    const report = await renderRunReport(runReportFixture({ status: 'degraded', customers: 200 }));
    expect(report.subject).toMatch(
      /^\[cpd\] online-shoppers 2026-11-24 degraded: 200 customers scored, ROC-AUC 0\.\d{3}, scores not published, evaluate \(model gate\)$/,
    );
    expect(report.text).toContain("Tonight's list was held back");
    expect(report.text).toContain('You still have the last published list');
    expect(report.text).not.toContain('npx cpd');
    expect(report.card.text).toContain('Scores NOT published');
    expect(report.card.text).toContain('model gate');
    expect(report.card.text).toContain('npx cpd resume online-shoppers 2026-11-24');
  });

  it('renders with nothing but the run identity', async () => {
    const report = await renderRunReport({
      pipeline: 'p',
      businessDate: '2026-01-01',
      runKey: 'p:2026-01-01',
      status: 'failed',
    });
    expect(report.images).toEqual([]);
    expect(report.subject).toBe('[cpd] p 2026-01-01 failed: previous scores kept');
    expect(report.text).toContain('No new customer list tonight');
    expect(report.card.text).toContain('Run FAILED');
  });

  it('keeps CR/LF from data out of the subject', async () => {
    const report = await renderRunReport({
      pipeline: 'p\r\nBcc: x@y',
      businessDate: '2026-01-01',
      runKey: 'k',
      status: 'succeeded',
    });
    expect(report.subject).not.toMatch(/[\r\n]/);
  });
});
