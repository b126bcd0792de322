import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { ReportSection } from './report-document.ts';

/** Customers whose score changed most since the last run: often the ones worth a call today. */
export function moversSection(data: RunReportData): ReportSection | undefined {
  const movers = data.topMovers;
  if (!movers || movers.length === 0) return undefined;
  return {
    id: 'top-movers',
    title: 'Biggest score changes since the last run',
    blocks: [
      {
        kind: 'table',
        columns: [
          { header: 'Customer' },
          { header: 'Last run', align: 'right' },
          { header: 'Tonight', align: 'right' },
          { header: 'Change', align: 'right' },
        ],
        rows: [...movers]
          .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
          .map((m) => [
            m.customerId,
            f.fixed(m.previous),
            f.fixed(m.current),
            { text: f.signed(m.delta), tone: m.delta >= 0 ? 'ok' : 'warn' },
          ]),
      },
    ],
  };
}
