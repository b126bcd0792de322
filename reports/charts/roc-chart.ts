import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** ROC curve against the chance diagonal; the AUC goes in the title because it is what people quote. */
export async function rocChart(points: readonly RocPoint[], rocAuc: number): Promise<ChartImage> {
  const auc = rocAuc.toFixed(3);
  return renderChart(
    {
      title: {
        text: `ROC curve (AUC ${auc})`,
        subtitle: 'Higher and further left is better; dashed line = random ranking',
      },
      width: CHART_WIDTH,
      height: 340,
      autosize: { type: 'fit', contains: 'padding' },
      layer: [
        {
          data: {
            values: [
              { fpr: 0, tpr: 0 },
              { fpr: 1, tpr: 1 },
            ],
          },
          mark: { type: 'line', color: palette.muted, strokeDash: [5, 4], strokeWidth: 1.5 },
          encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
        },
        {
          data: { values: [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr) },
          mark: { type: 'line', color: palette.primary, interpolate: 'step-after' },
          encoding: {
            x: {
              field: 'fpr',
              type: 'quantitative',
              title: 'False positive rate',
              scale: { domain: [0, 1] },
            },
            y: {
              field: 'tpr',
              type: 'quantitative',
              title: 'True positive rate (recall)',
              scale: { domain: [0, 1] },
            },
          },
        },
      ],
    },
    {
      key: 'roc-curve',
      alt: `ROC curve with AUC ${auc}; a random model would follow the diagonal (AUC 0.5).`,
    },
  );
}
