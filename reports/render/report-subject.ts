import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import { stripControl } from './strip-control.ts';

/** Long subjects get cut by mail clients anyway; the figure people need comes first. */
const MAX_LENGTH = 160;

/**
 * `[cpd] online-shoppers 2026-11-24 succeeded: 2,000 customers scored, ROC-AUC 0.912`, led by
 * `Corrected: ` when a rerun changed the scores an earlier brief reported.
 * Control characters are removed: a subject is a mail header, and CR/LF from data must never
 * reach it.
 */
export function reportSubject(data: RunReportData): string {
  const corrected = data.correction ? 'Corrected: ' : '';
  const subject = `${corrected}[cpd] ${data.pipeline} ${data.businessDate} ${data.status}: ${headlineFigure(data)}`;
  const oneLine = stripControl(subject).replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_LENGTH ? `${oneLine.slice(0, MAX_LENGTH - 1)}…` : oneLine;
}

function headlineFigure(data: RunReportData): string {
  const parts: string[] = [];
  if (data.status === 'failed' && data.failure)
    parts.push(`step ${data.failure.step} (${data.failure.cause})`);
  const b = data.brief;
  if (b)
    parts.push(`${f.int(Math.round(b.expectedBuyers))} likely buyers among ${f.int(b.population)} customers`);
  else if (data.headline) parts.push(`${f.int(data.headline.customersScored)} customers scored`);
  if (data.metrics && !b) parts.push(`ROC-AUC ${f.fixed(data.metrics.rocAuc)}`);
  if (data.status !== 'succeeded' && data.headline && !data.headline.scoresPublished)
    parts.push('scores not published');
  if (data.status === 'degraded' && data.failure) parts.push(`${data.failure.step} (${data.failure.cause})`);
  if (data.status === 'failed' && !data.headline) parts.push('previous scores kept');
  return parts.length > 0 ? parts.join(', ') : 'no figures available';
}
