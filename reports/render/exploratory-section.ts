import { formatNumber as f } from './number-format.ts';
import type { ReportCharts } from './report-charts.ts';
import { MAX_EXPLORATORY_CHARTS } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, ReportSection } from './report-document.ts';

/** Who buys: purchase rate by segment and how key features differ between buyers and the rest. */
export function exploratorySection(data: RunReportData, charts: ReportCharts): ReportSection | undefined {
  const segments = (data.exploratory?.segments ?? []).filter((s) => s.rows.length > 0);
  const features = (data.exploratory?.featureDistributions ?? []).filter((d) => d.bins.length > 0);
  if (segments.length === 0 && features.length === 0) return undefined;
  const blocks: Block[] = [];
  segments.slice(0, MAX_EXPLORATORY_CHARTS).forEach((segment, i) => {
    const chart = charts.segments[i];
    const table = {
      kind: 'table' as const,
      caption: `Purchase rate by ${segment.name} (training rows, not tonight's customers)`,
      columns: [
        { header: segment.name },
        { header: 'Training rows', align: 'right' as const },
        { header: 'Purchase rate', align: 'right' as const },
      ],
      // Gathered order: numeric bands stay in numeric order.
      rows: segment.rows.slice(0, 20).map((r) => [r.value, f.int(r.n), f.pct(r.rate)]),
    };
    blocks.push(chart ? { kind: 'chart', chart, fallback: table } : table);
  });
  features.slice(0, MAX_EXPLORATORY_CHARTS).forEach((_, i) => {
    const chart = charts.features[i];
    if (chart) blocks.push({ kind: 'chart', chart });
  });
  const hidden =
    Math.max(0, segments.length - MAX_EXPLORATORY_CHARTS) +
    Math.max(0, features.length - MAX_EXPLORATORY_CHARTS);
  if (hidden > 0)
    blocks.push({
      kind: 'paragraph',
      muted: true,
      text: `${hidden} more exploratory charts are left out of the email to keep it short.`,
    });
  blocks.unshift({
    kind: 'paragraph',
    muted: true,
    text: 'Counts here are rows of the training data (every snapshot), not tonight’s scored customers.',
  });
  return { id: 'exploratory', title: 'Exploring the customers', blocks };
}
