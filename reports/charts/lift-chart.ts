import type { ChartImage } from './chart-image.ts';
import { palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface LiftDecile {
  /** 1 = the 10% of customers with the highest scores. */
  decile: number;
  lift: number;
  /** Share of all buyers found in deciles 1..decile, 0..1. */
  cumulativeGain: number;
}

/**
 * Lift per decile (bars, 1.0 = random) beside cumulative gains (line against the random diagonal):
 * the two views marketing uses to decide how deep down the list to go.
 */
export async function liftChart(deciles: readonly LiftDecile[]): Promise<ChartImage> {
  const sorted = [...deciles].sort((a, b) => a.decile - b.decile);
  const gains = [
    { share: 0, gain: 0 },
    ...sorted.map((d) => ({ share: d.decile / 10, gain: d.cumulativeGain })),
  ];
  const top = sorted[0];
  const topText = top
    ? `Top decile lift ${top.lift.toFixed(2)}x, captures ${(top.cumulativeGain * 100).toFixed(0)}% of buyers`
    : 'No deciles';
  return renderChart(
    {
      title: { text: 'Lift by decile and cumulative gains', subtitle: topText },
      spacing: 36,
      hconcat: [
        {
          width: 232,
          height: 230,
          data: { values: sorted.map((d) => ({ decile: d.decile, lift: d.lift, label: d.lift.toFixed(1) })) },
          layer: [
            {
              mark: { type: 'bar', color: palette.primary, cornerRadiusEnd: 2 },
              encoding: {
                x: {
                  field: 'decile',
                  type: 'ordinal',
                  title: 'Score decile (1 = highest)',
                  axis: { labelAngle: 0 },
                },
                y: { field: 'lift', type: 'quantitative', title: 'Lift (x random)' },
              },
            },
            {
              mark: { type: 'text', dy: -6, fontSize: 10, color: '#374151' },
              encoding: {
                x: { field: 'decile', type: 'ordinal' },
                y: { field: 'lift', type: 'quantitative' },
                text: { field: 'label' },
              },
            },
            {
              data: { values: [{ one: 1 }] },
              mark: { type: 'rule', color: palette.secondary, strokeDash: [5, 4] },
              encoding: { y: { field: 'one', type: 'quantitative' } },
            },
          ],
        },
        {
          width: 232,
          height: 230,
          layer: [
            {
              data: {
                values: [
                  { share: 0, gain: 0 },
                  { share: 1, gain: 1 },
                ],
              },
              mark: { type: 'line', color: palette.muted, strokeDash: [5, 4], strokeWidth: 1.5 },
              encoding: {
                x: { field: 'share', type: 'quantitative' },
                y: { field: 'gain', type: 'quantitative' },
              },
            },
            {
              data: { values: gains },
              mark: {
                type: 'line',
                color: palette.primary,
                point: { filled: true, size: 30, color: palette.primary },
              },
              encoding: {
                x: {
                  field: 'share',
                  type: 'quantitative',
                  title: 'Share of customers contacted',
                  axis: { format: '.0%' },
                  scale: { domain: [0, 1] },
                },
                y: {
                  field: 'gain',
                  type: 'quantitative',
                  title: 'Share of buyers found',
                  axis: { format: '.0%' },
                  scale: { domain: [0, 1] },
                },
              },
            },
          ],
        },
      ],
    },
    { key: 'lift-gains', alt: `Lift by score decile and cumulative gains curve. ${topText}.` },
  );
}
