import { formatNumber as f } from './number-format.ts';
import type { ReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, ReportSection } from './report-document.ts';

/** Tonight's scores against the last run's, and the 30-run trend: where a slow drift shows up. */
export function distributionSection(data: RunReportData, charts: ReportCharts): ReportSection | undefined {
  const blocks: Block[] = [];
  const histogram = data.scoreHistogram;
  if (charts.distribution && histogram) {
    const share = (bins: { start: number; count: number }[]) => {
      const total = bins.reduce((s, b) => s + b.count, 0) || 1;
      return bins.filter((b) => b.start >= 0.5).reduce((s, b) => s + b.count, 0) / total;
    };
    const tonight = share(histogram.tonight);
    const text = histogram.previous?.length
      ? `${f.pct(tonight)} of customers score 0.5 or more tonight, against ${f.pct(share(histogram.previous))} on the last run.`
      : `${f.pct(tonight)} of customers score 0.5 or more tonight.`;
    blocks.push({ kind: 'paragraph', text }, { kind: 'chart', chart: charts.distribution });
  }
  if (charts.trend && data.trend) {
    const sorted = [...data.trend].sort((a, b) => a.businessDate.localeCompare(b.businessDate));
    blocks.push({
      kind: 'chart',
      chart: charts.trend,
      fallback: {
        kind: 'table',
        columns: [
          { header: 'Business date' },
          { header: 'ROC-AUC', align: 'right' },
          { header: 'Base rate', align: 'right' },
          { header: 'Customers scored', align: 'right' },
        ],
        rows: sorted
          .slice(-10)
          .map((p) => [
            p.businessDate,
            p.rocAuc === undefined ? '-' : f.fixed(p.rocAuc),
            p.baseRate === undefined ? '-' : f.pct(p.baseRate),
            p.customersScored === undefined ? '-' : f.int(p.customersScored),
          ]),
      },
    });
  }
  return blocks.length > 0
    ? { id: 'distribution', title: 'Score distribution and trend', blocks }
    : undefined;
}
