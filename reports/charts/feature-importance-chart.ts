import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface FeatureImportance {
  feature: string;
  importance: number;
}

/** Beyond 15 bars the labels crowd and the tail is noise nobody acts on. */
const TOP_N = 15;

export async function featureImportanceChart(features: readonly FeatureImportance[]): Promise<ChartImage> {
  const top = [...features].sort((a, b) => b.importance - a.importance).slice(0, TOP_N);
  const names = top.map((f) => f.feature);
  const maxImportance = Math.max(0, ...top.map((f) => f.importance));
  return renderChart(
    {
      title: {
        text: `Feature importance (top ${top.length})`,
        subtitle: 'How much each feature drives the model’s splits',
      },
      width: CHART_WIDTH,
      // With autosize "fit" the height includes title and axis (~90 px); the rest gives each bar ~24 px.
      height: 90 + Math.max(3, top.length) * 24,
      autosize: { type: 'fit', contains: 'padding' },
      data: { values: top.map((f) => ({ ...f, label: f.importance.toFixed(3) })) },
      encoding: {
        y: {
          field: 'feature',
          type: 'nominal',
          sort: names,
          title: null,
          axis: { labelLimit: 190, ticks: false, domain: false },
        },
        // Head-room so the value label after the longest bar is not clipped.
        x: {
          field: 'importance',
          type: 'quantitative',
          title: 'Importance',
          axis: { tickCount: 6 },
          scale: { domainMax: maxImportance * 1.12 },
        },
      },
      layer: [
        { mark: { type: 'bar', color: palette.primary, cornerRadiusEnd: 2, height: { band: 0.7 } } },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#374151' },
          encoding: { text: { field: 'label' } },
        },
      ],
    },
    {
      key: 'feature-importance',
      alt: `Feature importance, top ${top.length}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}.`,
    },
  );
}
