import type { RunReportData } from './report-data.ts';
import type { ReportSection } from './report-document.ts';

/** Where the scores live and a query to start from, so nobody has to ask. */
export function querySection(data: RunReportData): ReportSection | undefined {
  const p = data.published;
  if (!p) return undefined;
  return {
    id: 'how-to-query',
    title: 'How to query the scores',
    blocks: [
      { kind: 'paragraph', text: `Scores are in the table ${p.table}. For example:` },
      { kind: 'code', text: p.sqlExample },
    ],
  };
}
