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
  data.scoredCustomers = [
    { customerId: '=HYPERLINK("http://evil.example","click")', score: 0.99, decile: 1 },
    { customerId: '+1', score: 0.98, decile: 1 },
    { customerId: '-2', score: 0.97, decile: 1 },
    { customerId: '@x', score: 0.96, decile: 1 },
    { customerId: '\tTAB', score: 0.95, decile: 1 },
    { customerId: 'a,"quoted"\nline', score: 0.94, decile: 1, segment: 'New' },
  ];
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

  it('pairs every cid in the HTML with exactly one image, and the reverse', () => {
    const referenced = cids(report.html);
    expect(referenced.length).toBeGreaterThanOrEqual(9);
    expect(new Set(referenced).size).toBe(referenced.length);
    expect(report.images.map((i) => i.cid).sort()).toEqual([...referenced].sort());
    for (const image of report.images) {
      expect(pngHeader(image.png).width).toBeGreaterThan(0);
      expect(report.html).toContain(`width="${image.width}" height="${image.height}"`);
    }
  });

  it('has every section and the ROC/PR/confusion/lift charts', () => {
    for (const key of [
      'roc-curve',
      'pr-curve',
      'confusion-matrix',
      'lift-gains',
      'feature-importance',
      'score-distribution',
      'metric-trend',
    ]) {
      expect(report.images.some((i) => i.cid.startsWith(key))).toBe(true);
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
      expect(report.html).toContain(title);
    }
  });

  it('escapes untrusted strings and stays email-safe', () => {
    expect(report.html).not.toContain('<script');
    expect(report.html).not.toContain('<img src=x');
    expect(report.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(report.html).not.toMatch(/<link|<style|https?:\/\/(?!evil)/i);
  });

  it('puts the key metrics in the text part', () => {
    const m = runReportFixture({ customers: 300 }).metrics!;
    expect(report.text).toContain(`ROC-AUC`);
    expect(report.text).toContain(m.rocAuc.toFixed(3));
    expect(report.text).toContain(m.prAuc.toFixed(3));
    expect(report.text).toContain('customers scored');
    expect(report.text).toContain(HOSTILE_ID);
    expect(report.text).toContain('SELECT customer_id, score, decile');
    // Plain text holds no markup of ours (the untrusted feature name may look like a tag).
    expect(report.text).not.toMatch(/<(table|td|tr|div)\b/);
  });

  it('formats the subject', () => {
    const auc = runReportFixture({ customers: 300 }).metrics!.rocAuc.toFixed(3);
    expect(report.subject).toBe(
      `[cpd] online-shoppers 2026-11-24 succeeded: 300 customers scored, ROC-AUC ${auc}`,
    );
  });

  it('neutralises formula injection in the CSV and quotes fields', () => {
    const csv = report.attachments.find((a) => a.filename.endsWith('.csv'));
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
    for (const part of [unescapeHtml(report.html), report.text]) {
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
      expect(report.images.some((i) => i.cid.startsWith(key))).toBe(false);
    }
    expect(report.html).not.toContain('Model quality');
    expect(cids(report.html).sort()).toEqual(report.images.map((i) => i.cid).sort());
    expect(report.attachments.map((a) => a.filename)).toEqual(['online-shoppers-2026-11-24-metrics.json']);
  });

  it('degraded: explains the model gate and that scores were not published', async () => {
    const report = await renderRunReport(runReportFixture({ status: 'degraded', customers: 200 }));
    expect(report.subject).toMatch(
      /^\[cpd\] online-shoppers 2026-11-24 degraded: 200 customers scored, ROC-AUC 0\.\d{3}, scores not published, evaluate \(model gate\)$/,
    );
    expect(report.text).toContain('Scores NOT published');
    expect(report.text).toContain('model gate');
    expect(report.text).toContain('npx cpd resume online-shoppers 2026-11-24');
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
    expect(report.text).toContain('Run FAILED');
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
