import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

function shares(bins: readonly HistogramBin[]) {
  const total = bins.reduce((sum, b) => sum + b.count, 0) || 1;
  return bins.map((b) => ({ start: b.start, end: b.end, share: b.count / total }));
}

/**
 * Tonight's score histogram (bars) with the last run's drawn as an outline on top, so both stay
 * readable where they overlap. Shares, not counts: a night with more customers should not look
 * like a shift; a change of shape is what hints at drift.
 */
export async function scoreDistributionChart(
  tonight: readonly HistogramBin[],
  previous?: readonly HistogramBin[],
): Promise<ChartImage> {
  const count = Math.round(tonight.reduce((sum, b) => sum + b.count, 0));
  const hasPrevious = previous !== undefined && previous.length > 0;
  const series = hasPrevious ? ['Tonight', 'Last run'] : ['Tonight'];
  const color = {
    field: 'run',
    type: 'nominal',
    title: null,
    scale: { domain: series, range: [palette.primary, palette.secondary] },
    legend: hasPrevious ? {} : null,
  } as const;
  const lastRun = hasPrevious ? shares(previous).sort((a, b) => a.start - b.start) : [];
  // A step line needs a closing point at the last bin's right edge.
  const lastEdge = lastRun.at(-1);
  const outline = lastEdge ? [...lastRun, { ...lastEdge, start: lastEdge.end }] : [];
  return renderChart(
    {
      title: {
        text: hasPrevious ? 'Score distribution: tonight vs last run' : 'Score distribution tonight',
        subtitle: `${count.toLocaleString('en-US')} customers scored; share of customers per score bin`,
      },
      width: CHART_WIDTH,
      height: 270,
      autosize: { type: 'fit', contains: 'padding' },
      layer: [
        {
          data: { values: shares(tonight).map((b) => ({ ...b, run: 'Tonight' })) },
          mark: { type: 'bar', opacity: 0.85, binSpacing: 1 },
          encoding: {
            x: {
              field: 'start',
              type: 'quantitative',
              bin: { binned: true },
              title: 'Purchase score',
              scale: { domain: [0, 1] },
            },
            x2: { field: 'end' },
            y: { field: 'share', type: 'quantitative', title: 'Share of customers', axis: { format: '.0%' } },
            color,
          },
        },
        ...(hasPrevious
          ? [
              {
                data: { values: outline.map((b) => ({ ...b, run: 'Last run' })) },
                mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 2 },
                encoding: {
                  x: { field: 'start', type: 'quantitative' as const },
                  y: { field: 'share', type: 'quantitative' as const },
                  color,
                },
              },
            ]
          : []),
      ],
    },
    {
      key: 'score-distribution',
      alt: hasPrevious
        ? `Histogram of tonight's purchase scores (${count} customers) with the last run's distribution outlined.`
        : `Histogram of tonight's purchase scores (${count} customers).`,
    },
  );
}
