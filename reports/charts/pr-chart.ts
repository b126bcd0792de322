import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface PrPoint {
  recall: number;
  precision: number;
}

/**
 * Precision-recall curve with the base rate as the "no skill" line: with a rare positive class
 * this is the honest view, since ROC looks good even when most flagged customers do not buy.
 */
export async function prChart(
  points: readonly PrPoint[],
  baseRate: number,
  prAuc?: number,
): Promise<ChartImage> {
  const rate = `${(baseRate * 100).toFixed(1)}%`;
  const aucText = prAuc === undefined ? '' : ` (AUC ${prAuc.toFixed(3)})`;
  return renderChart(
    {
      title: {
        text: `Precision-recall curve${aucText}`,
        subtitle: `Dashed line = base rate ${rate} (what random targeting would hit)`,
      },
      width: CHART_WIDTH,
      height: 340,
      autosize: { type: 'fit', contains: 'padding' },
      layer: [
        {
          data: { values: [...points].sort((a, b) => a.recall - b.recall || b.precision - a.precision) },
          mark: { type: 'line', color: palette.primary },
          encoding: {
            x: {
              field: 'recall',
              type: 'quantitative',
              title: 'Recall (share of buyers found)',
              scale: { domain: [0, 1] },
            },
            y: {
              field: 'precision',
              type: 'quantitative',
              title: 'Precision (share of flagged who buy)',
              scale: { domain: [0, 1] },
            },
          },
        },
        {
          data: { values: [{ baseRate }] },
          mark: { type: 'rule', color: palette.secondary, strokeDash: [5, 4], strokeWidth: 1.5 },
          encoding: { y: { field: 'baseRate', type: 'quantitative' } },
        },
        {
          data: { values: [{ baseRate, recall: 1, label: `base rate ${rate}` }] },
          mark: { type: 'text', align: 'right', dy: -7, color: '#92400e', fontSize: 11 },
          encoding: {
            y: { field: 'baseRate', type: 'quantitative' },
            x: { field: 'recall', type: 'quantitative' },
            text: { field: 'label' },
          },
        },
      ],
    },
    { key: 'pr-curve', alt: `Precision-recall curve${aucText}, compared with the base rate of ${rate}.` },
  );
}
