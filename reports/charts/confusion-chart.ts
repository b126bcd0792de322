import type { ChartImage } from './chart-image.ts';
import { CHART_WIDTH, palette } from './chart-theme.ts';
import { renderChart } from './render-chart.ts';

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** 2x2 heatmap: actual outcome down, prediction across, with counts and share of all rows. */
export async function confusionChart(counts: ConfusionCounts, threshold?: number): Promise<ChartImage> {
  const total = counts.tp + counts.fp + counts.tn + counts.fn;
  const cell = (actual: string, predicted: string, n: number, kind: string) => ({
    actual,
    predicted,
    n,
    label: `${n.toLocaleString('en-US')}`,
    detail: `${kind} · ${total > 0 ? ((n / total) * 100).toFixed(1) : '0.0'}%`,
  });
  const values = [
    cell('Purchased', 'Predicted purchase', counts.tp, 'true positives'),
    cell('Purchased', 'Predicted no purchase', counts.fn, 'false negatives'),
    cell('Did not purchase', 'Predicted purchase', counts.fp, 'false positives'),
    cell('Did not purchase', 'Predicted no purchase', counts.tn, 'true negatives'),
  ];
  const max = Math.max(1, ...values.map((v) => v.n));
  const order = {
    actual: ['Purchased', 'Did not purchase'],
    predicted: ['Predicted purchase', 'Predicted no purchase'],
  };
  const thresholdText = threshold === undefined ? '' : ` at threshold ${threshold.toFixed(2)}`;
  const darkText = `datum.n > ${max * 0.55}`;
  return renderChart(
    {
      title: {
        text: `Confusion matrix${thresholdText}`,
        subtitle: `${total.toLocaleString('en-US')} evaluation rows`,
      },
      width: CHART_WIDTH,
      height: 240,
      autosize: { type: 'fit', contains: 'padding' },
      data: { values },
      encoding: {
        x: {
          field: 'predicted',
          type: 'nominal',
          sort: order.predicted,
          title: null,
          axis: {
            orient: 'top',
            labelAngle: 0,
            labelFontSize: 12,
            labelLimit: 0,
            domain: false,
            ticks: false,
          },
        },
        y: {
          field: 'actual',
          type: 'nominal',
          sort: order.actual,
          title: 'Actual',
          axis: { labelFontSize: 12, domain: false, ticks: false, labelAngle: 0 },
        },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 3 },
          encoding: {
            color: {
              field: 'n',
              type: 'quantitative',
              scale: { range: [palette.heatLow, palette.heatHigh], domain: [0, max] },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 22, fontWeight: 'bold', dy: -8 },
          encoding: {
            text: { field: 'label' },
            color: { condition: { test: darkText, value: 'white' }, value: palette.ink },
          },
        },
        {
          mark: { type: 'text', fontSize: 11, dy: 16 },
          encoding: {
            text: { field: 'detail' },
            color: { condition: { test: darkText, value: '#dbeafe' }, value: '#4b5563' },
          },
        },
      ],
    },
    {
      key: 'confusion-matrix',
      alt: `Confusion matrix${thresholdText}: ${counts.tp} true positives, ${counts.fp} false positives, ${counts.tn} true negatives, ${counts.fn} false negatives.`,
    },
  );
}
