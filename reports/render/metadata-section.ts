import { formatNumber as f, localTime } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, Cell, ReportSection } from './report-document.ts';

/** Run identity and step timings: what an engineer needs to find this run in the logs. */
export function metadataSection(data: RunReportData): ReportSection {
  const items: [string, Cell][] = [
    ['Pipeline', data.pipeline],
    ['Business date', data.businessDate],
    ['Run key', data.runKey],
    ['Status', data.status],
  ];
  if (data.startedAt) items.push(['Started', localTime(data.startedAt, data.timeZone)]);
  if (data.finishedAt) items.push(['Finished', localTime(data.finishedAt, data.timeZone)]);
  if (data.startedAt && data.finishedAt) {
    const ms = Date.parse(data.finishedAt) - Date.parse(data.startedAt);
    if (Number.isFinite(ms) && ms >= 0) items.push(['Duration', f.duration(ms)]);
  }
  if (data.headline) items.push(['Model version', data.headline.modelVersion]);
  const blocks: Block[] = [{ kind: 'facts', items }];
  const steps = data.stepDurations ?? [];
  if (steps.length > 0) {
    blocks.push({
      kind: 'table',
      caption: 'Steps',
      columns: [{ header: 'Step' }, { header: 'Status' }, { header: 'Duration', align: 'right' }],
      rows: steps.map((s): Cell[] => [
        s.step,
        s.status === 'failed' ? { text: 'failed', tone: 'fail' } : (s.status ?? 'succeeded'),
        f.duration(s.ms),
      ]),
    });
  }
  return { id: 'metadata', title: 'Run details', blocks };
}
