import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, ReportSection, Tone } from './report-document.ts';

const statusTone: Record<RunReportData['status'], Tone> = {
  succeeded: 'ok',
  degraded: 'warn',
  failed: 'fail',
};

const causeExplained: Record<NonNullable<RunReportData['failure']>['cause'], string> = {
  'data contract': 'the input data broke an agreed rule; retrying will not help until the data is fixed',
  infrastructure:
    'a service or machine failed (database, queue, network); resuming usually works once it is back',
  'model gate': 'the new model did not meet the quality bar, so it was not allowed to publish scores',
};

/** The box at the top: status, the few figures people look for, and on a bad night what to do. */
export function headlineSection(data: RunReportData): ReportSection {
  const h = data.headline;
  const m = data.metrics;
  const blocks: Block[] = [];
  const lines: string[] = [];
  if (h) {
    lines.push(
      h.scoresPublished
        ? `Scores published. ${h.publishedReason}`
        : `Scores NOT published. ${h.publishedReason}`,
    );
    lines.push(`Model ${h.modelVersion} (${h.servingModel}) produced tonight's scores.`);
  }
  if (data.failure) lines.push(`Failed at step "${data.failure.step}" (${data.failure.cause}).`);
  blocks.push({ kind: 'callout', tone: statusTone[data.status], title: statusTitle(data), lines });

  const stats: { label: string; value: string }[] = [];
  if (h) stats.push({ label: 'customers scored', value: f.int(h.customersScored) });
  if (m)
    stats.push({ label: 'ROC-AUC', value: f.fixed(m.rocAuc) }, { label: 'PR-AUC', value: f.fixed(m.prAuc) });
  if (data.baseRate !== undefined) stats.push({ label: 'base rate', value: f.pct(data.baseRate) });
  if (m?.topDecileCapture !== undefined)
    stats.push({ label: 'buyers in top 10%', value: f.pct(m.topDecileCapture, 0) });
  if (m) stats.push({ label: `precision at ${f.fixed(m.threshold, 2)}`, value: f.pct(m.precision) });
  if (stats.length > 0) blocks.push({ kind: 'stats', items: stats });

  const failure = data.failure;
  if (failure) {
    blocks.push({
      kind: 'facts',
      items: [
        ['What failed', `Step "${failure.step}": ${failure.message}`],
        ['Why', `${failure.cause}: ${causeExplained[failure.cause]}`],
        ['What was kept', failure.whatWasKept],
      ],
    });
    blocks.push({ kind: 'paragraph', text: 'To resume the run from the failed step, run:' });
    blocks.push({ kind: 'code', text: failure.resumeCommand });
  }
  return { id: 'headline', title: 'Tonight at a glance', blocks };
}

function statusTitle(data: RunReportData): string {
  const who = `${data.pipeline}, business date ${data.businessDate}`;
  switch (data.status) {
    case 'succeeded':
      return `Run succeeded: ${who}`;
    case 'degraded':
      return `Run degraded: ${who}`;
    case 'failed':
      return `Run FAILED: ${who}`;
  }
}
