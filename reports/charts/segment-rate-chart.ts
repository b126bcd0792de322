import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface SegmentRow {
  value: string;
  n: number;
  /** Purchase rate in this segment value, 0..1. */
  rate: number;
}

export interface SegmentRateOptions {
  key?: string;
  /** Drawn as a dashed reference so over- and under-performing values stand out. */
  baseRate?: number;
}

/** Caps the bars so a high-cardinality segment (e.g. region codes) stays readable in an email. */
const MAX_VALUES = 20;

export async function segmentRateChart(
  name: string,
  rows: readonly SegmentRow[],
  options: SegmentRateOptions = {},
): Promise<ChartImage> {
  // The largest groups are kept, in the order they were gathered: value bands stay in numeric
  // order ("435 to 959" before "959 to 116091"), never sorted as text or by size.
  const kept = new Set([...rows].sort((a, b) => b.n - a.n).slice(0, MAX_VALUES));
  const top = rows.filter((r) => kept.has(r));
  const values = top.map((r) => ({
    value: r.value,
    rate: r.rate,
    label: `${(r.rate * 100).toFixed(1)}% (n=${r.n.toLocaleString('en-US')})`,
  }));
  const dropped = rows.length - top.length;
  const maxRate = Math.max(options.baseRate ?? 0, ...top.map((r) => r.rate));
  const subtitle = [
    options.baseRate === undefined
      ? ''
      : `Dashed line = overall base rate ${(options.baseRate * 100).toFixed(1)}%`,
    dropped > 0 ? `${dropped} smaller values not shown` : '',
  ].filter(Boolean);
  return renderChart(
    {
      title: {
        text: `Purchase rate by ${name}`,
        ...(subtitle.length > 0 ? { subtitle: subtitle.join('; ') } : {}),
      },
      width: CHART_WIDTH,
      // With autosize "fit" the height includes title and axis (~90 px); the rest gives each bar ~26 px.
      height: 90 + Math.max(2, values.length) * 26,
      autosize: { type: 'fit', contains: 'padding' },
      // The reference rule goes first so the value labels are drawn over it.
      layer: [
        ...(options.baseRate === undefined
          ? []
          : [
              {
                data: { values: [{ baseRate: options.baseRate }] },
                mark: {
                  type: 'rule' as const,
                  color: palette.secondary,
                  strokeDash: [5, 4],
                  strokeWidth: 1.5,
                },
                encoding: { x: { field: 'baseRate', type: 'quantitative' as const, title: 'Purchase rate' } },
              },
            ]),
        {
          data: { values },
          encoding: {
            y: {
              field: 'value',
              type: 'nominal',
              sort: values.map((v) => v.value),
              title: null,
              axis: { labelLimit: 160, ticks: false, domain: false },
            },
            // Head-room so the "rate (n=…)" label after the longest bar is not clipped.
            x: {
              field: 'rate',
              type: 'quantitative',
              title: 'Purchase rate',
              axis: { format: '.0%', tickCount: 6 },
              scale: { domainMax: maxRate * 1.3 },
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
      ],
    },
    {
      key: options.key ?? 'segment-rate',
      alt: `Purchase rate by ${name} for ${values.length} values${values[0] ? `; largest group ${values[0].value} at ${values[0].label}` : ''}.`,
    },
  );
}
