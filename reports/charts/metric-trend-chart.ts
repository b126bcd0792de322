import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface TrendPoint {
  businessDate: string;
  rocAuc?: number;
  baseRate?: number;
  customersScored?: number;
}

const panels = [
  { field: 'rocAuc', title: 'ROC-AUC', format: '.3f', color: palette.primary },
  { field: 'baseRate', title: 'Base rate', format: '.1%', color: palette.secondary },
  { field: 'customersScored', title: 'Customers scored', format: ',.0f', color: palette.good },
] as const;

/**
 * Three small multiples sharing the date axis rather than one chart with three y-scales:
 * the metrics have unrelated units, and a dual axis invites false correlations.
 * Runs missing a metric (failed nights) leave a gap instead of a fake zero.
 */
export async function metricTrendChart(points: readonly TrendPoint[]): Promise<ChartImage> {
  const sorted = [...points].sort((a, b) => a.businessDate.localeCompare(b.businessDate));
  const first = sorted[0]?.businessDate ?? '';
  const last = sorted.at(-1)?.businessDate ?? '';
  const values = sorted.map((p) => ({ ...p }));
  return renderChart(
    {
      title: { text: `Trend over the last ${sorted.length} runs`, subtitle: `${first} to ${last}` },
      data: { values },
      spacing: 14,
      vconcat: panels.map((panel, i) => ({
        width: CHART_WIDTH - 90,
        height: 90,
        layer: [
          {
            mark: { type: 'line', color: panel.color, point: { size: 18, filled: true, color: panel.color } },
            encoding: {
              x: {
                field: 'businessDate',
                type: 'temporal',
                // Business dates are calendar days: UTC, so no time zone shifts a label to the day before.
                timeUnit: 'utcyearmonthdate',
                title: i === panels.length - 1 ? 'Business date' : null,
                axis: {
                  format: '%b %d',
                  // One tick per night at most: a short trend otherwise repeats "Sep 10" per hour.
                  ...(sorted.length <= 8
                    ? { values: sorted.map((p) => Date.parse(`${p.businessDate}T00:00:00Z`)) }
                    : {}),
                  labels: i === panels.length - 1,
                  ticks: i === panels.length - 1,
                  ...(sorted.length <= 8 ? {} : { tickCount: 8 }),
                  grid: true,
                },
              },
              y: {
                field: panel.field,
                type: 'quantitative',
                title: panel.title,
                scale: { zero: false },
                axis: { format: panel.format, tickCount: 3, titleFontWeight: 'bold' },
              },
            },
          },
        ],
      })),
    },
    {
      key: 'metric-trend',
      alt: `Trend of ROC-AUC, base rate and customers scored over the last ${sorted.length} runs, ${first} to ${last}.`,
    },
  );
}
