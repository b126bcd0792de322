import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface LabelledBin {
  start: number;
  end: number;
  /** Rows in this bin whose label is 0 (did not purchase). */
  label0: number;
  /** Rows in this bin whose label is 1 (purchased). */
  label1: number;
}

/**
 * A numeric feature's distribution for buyers vs non-buyers, each normalised to its own total:
 * buyers are the minority, and raw counts would hide their shape under the non-buyers'.
 */
export async function featureDistributionChart(
  feature: string,
  bins: readonly LabelledBin[],
  options: { key?: string } = {},
): Promise<ChartImage> {
  const total0 = bins.reduce((s, b) => s + b.label0, 0) || 1;
  const total1 = bins.reduce((s, b) => s + b.label1, 0) || 1;
  const groups = ['Did not purchase', 'Purchased'];
  const values = bins.flatMap((b) => [
    { group: groups[0], start: b.start, end: b.end, share: b.label0 / total0 },
    { group: groups[1], start: b.start, end: b.end, share: b.label1 / total1 },
  ]);
  return renderChart(
    {
      title: {
        text: `${feature} by outcome`,
        subtitle: 'Share of each group per bin; separated shapes mean the feature tells buyers apart',
      },
      width: CHART_WIDTH,
      height: 240,
      autosize: { type: 'fit', contains: 'padding' },
      data: { values },
      mark: { type: 'bar', opacity: 0.6, binSpacing: 1 },
      encoding: {
        x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: feature },
        x2: { field: 'end' },
        y: {
          field: 'share',
          type: 'quantitative',
          stack: null,
          title: 'Share of group',
          axis: { format: '.0%' },
        },
        color: {
          field: 'group',
          type: 'nominal',
          title: null,
          scale: { domain: groups, range: [palette.muted, palette.primary] },
        },
      },
    },
    {
      key: options.key ?? 'feature-distribution',
      alt: `Distribution of ${feature} for customers who purchased and who did not.`,
    },
  );
}
