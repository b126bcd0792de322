import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { Cell, ReportSection } from './report-document.ts';

/** Champion/challenger: which model serves tomorrow, and why. */
export function decisionSection(data: RunReportData): ReportSection | undefined {
  const d = data.modelDecision;
  if (!d) return undefined;
  const items: [string, Cell][] = [
    [
      'Champion',
      d.champion + (d.championRocAuc === undefined ? '' : ` (ROC-AUC ${f.fixed(d.championRocAuc)})`),
    ],
  ];
  if (d.challenger)
    items.push([
      'Challenger',
      d.challenger + (d.challengerRocAuc === undefined ? '' : ` (ROC-AUC ${f.fixed(d.challengerRocAuc)})`),
    ]);
  items.push([
    'Decision',
    d.promoted ? { text: 'Challenger promoted', tone: 'ok' } : { text: 'Champion kept', tone: 'info' },
  ]);
  items.push(['Reason', d.reason]);
  return { id: 'decision', title: 'Model decision', blocks: [{ kind: 'facts', items }] };
}
