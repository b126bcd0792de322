import { describe, expect, it } from 'vitest';
import type { ChartImage } from './chart-image.ts';
import { confusionChart } from './confusion-chart.ts';
import { featureDistributionChart } from './feature-distribution-chart.ts';
import { featureImportanceChart } from './feature-importance-chart.ts';
import { liftChart } from './lift-chart.ts';
import { metricTrendChart } from './metric-trend-chart.ts';
import { pngHeader } from './png-header.ts';
import { prChart } from './pr-chart.ts';
import { CHART_PIXEL_RATIO } from './render-chart.ts';
import { rocChart } from './roc-chart.ts';
import { scoreDistributionChart } from './score-distribution-chart.ts';
import { segmentRateChart } from './segment-rate-chart.ts';

const curve = Array.from({ length: 21 }, (_, i) => i / 20);

function expectValidChart(chart: ChartImage, key: string): void {
  const { width, height } = pngHeader(chart.png);
  // A fractional pixel ratio rounds the raster to whole pixels.
  expect(Math.abs(width - chart.width * CHART_PIXEL_RATIO)).toBeLessThanOrEqual(1);
  expect(Math.abs(height - chart.height * CHART_PIXEL_RATIO)).toBeLessThanOrEqual(1);
  // Email column is 640 px; charts must fit it.
  expect(chart.width).toBeGreaterThanOrEqual(540);
  expect(chart.width).toBeLessThanOrEqual(640);
  expect(chart.height).toBeGreaterThan(0);
  expect(chart.svg.startsWith('<svg')).toBe(true);
  expect(chart.cid).toBe(`${key}@cpd.report`);
  expect(chart.filename).toBe(`${key}.png`);
  expect(chart.alt.length).toBeGreaterThan(10);
}

/** Text as vega wrote it in the SVG (escaped as XML). */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

describe('charts', () => {
  it('ROC curve: line, diagonal and AUC in the title', async () => {
    const chart = await rocChart(
      curve.map((x) => ({ fpr: x, tpr: Math.sqrt(x) })),
      0.9123,
    );
    expectValidChart(chart, 'roc-curve');
    expect(svgTexts(chart.svg)).toContain('ROC curve (AUC 0.912)');
    expect(svgTexts(chart.svg)).toContain('False positive rate');
    expect(chart.svg.match(/class="mark-line role-mark/g)).toHaveLength(2);
  });

  it('precision-recall curve with a base-rate line', async () => {
    const chart = await prChart(
      curve.map((r) => ({ recall: r, precision: 1 - 0.8 * r })),
      0.155,
      0.71,
    );
    expectValidChart(chart, 'pr-curve');
    expect(svgTexts(chart.svg)).toContain('Precision-recall curve (AUC 0.710)');
    expect(svgTexts(chart.svg)).toContain('base rate 15.5%');
    expect(chart.svg).toContain('class="mark-rule role-mark');
  });

  it('confusion matrix: four cells with their counts', async () => {
    const chart = await confusionChart({ tp: 220, fp: 80, tn: 1600, fn: 100 }, 0.42);
    expectValidChart(chart, 'confusion-matrix');
    const heatmap = /<g class="mark-rect role-mark[^>]*>(.*?)<\/g>/.exec(chart.svg)?.[1] ?? '';
    expect(heatmap.match(/<path /g)).toHaveLength(4);
    expect(svgTexts(chart.svg)).toEqual(
      expect.arrayContaining(['220', '80', '1,600', '100', 'Confusion matrix at threshold 0.42']),
    );
  });

  it('lift by decile with cumulative gains', async () => {
    const deciles = Array.from({ length: 10 }, (_, i) => ({
      decile: i + 1,
      lift: 3 / (i + 1),
      cumulativeGain: Math.sqrt((i + 1) / 10),
    }));
    const chart = await liftChart(deciles);
    expectValidChart(chart, 'lift-gains');
    expect(chart.svg).toContain('class="mark-rect role-mark');
    expect(svgTexts(chart.svg)).toEqual(
      expect.arrayContaining(['Lift by decile and cumulative gains', 'Share of buyers found']),
    );
  });

  it('feature importance shows the top 15 only', async () => {
    const features = Array.from({ length: 20 }, (_, i) => ({ feature: `f${i}`, importance: 1 / (i + 1) }));
    const chart = await featureImportanceChart(features);
    expectValidChart(chart, 'feature-importance');
    const texts = svgTexts(chart.svg);
    expect(texts).toContain('Feature importance (top 15)');
    expect(texts).toContain('f14');
    expect(texts).not.toContain('f15');
  });

  it('score distribution, with and without a last run', async () => {
    const bins = curve
      .slice(0, 20)
      .map((start) => ({ start, end: start + 0.05, count: Math.round(100 * (1 - start)) }));
    const both = await scoreDistributionChart(
      bins,
      bins.map((b) => ({ ...b, count: b.count + 5 })),
    );
    expectValidChart(both, 'score-distribution');
    expect(svgTexts(both.svg)).toEqual(
      expect.arrayContaining(['Score distribution: tonight vs last run', 'Tonight', 'Last run']),
    );
    const alone = await scoreDistributionChart(bins);
    expectValidChart(alone, 'score-distribution');
    expect(svgTexts(alone.svg)).not.toContain('Last run');
  });

  it('metric trend: three panels, gaps for runs without metrics', async () => {
    const points = Array.from({ length: 30 }, (_, i) => ({
      businessDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
      rocAuc: 0.9,
      baseRate: 0.15,
      customersScored: 2000 + i,
    }));
    points[10] = { businessDate: '2026-10-11' } as (typeof points)[number];
    const chart = await metricTrendChart(points);
    expectValidChart(chart, 'metric-trend');
    expect(svgTexts(chart.svg)).toEqual(
      expect.arrayContaining(['Trend over the last 30 runs', 'ROC-AUC', 'Base rate', 'Customers scored']),
    );
  });

  it('purchase rate by segment escapes untrusted values in the SVG', async () => {
    const chart = await segmentRateChart(
      'Visitor<Type>',
      [
        { value: '<script>x</script>', n: 10, rate: 0.2 },
        { value: 'New', n: 5, rate: 0.1 },
      ],
      { key: 'segment-rate-1', baseRate: 0.15 },
    );
    expectValidChart(chart, 'segment-rate-1');
    expect(chart.svg).not.toContain('<script>');
    expect(svgTexts(chart.svg)).toContain('Purchase rate by Visitor&lt;Type&gt;');
  });

  it('feature distribution by label', async () => {
    const bins = Array.from({ length: 10 }, (_, i) => ({
      start: i,
      end: i + 1,
      label0: 100 - i * 9,
      label1: 5 + i,
    }));
    const chart = await featureDistributionChart('PageValues', bins, { key: 'feature-distribution-1' });
    expectValidChart(chart, 'feature-distribution-1');
    expect(svgTexts(chart.svg)).toEqual(
      expect.arrayContaining(['PageValues by outcome', 'Purchased', 'Did not purchase']),
    );
  });
});
