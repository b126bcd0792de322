import type { ChartImage } from '../charts/chart-image.ts';
import { chartKey } from '../charts/chart-key.ts';
import { confusionChart } from '../charts/confusion-chart.ts';
import { featureDistributionChart } from '../charts/feature-distribution-chart.ts';
import { featureImportanceChart } from '../charts/feature-importance-chart.ts';
import { liftChart } from '../charts/lift-chart.ts';
import { metricTrendChart } from '../charts/metric-trend-chart.ts';
import { prChart } from '../charts/pr-chart.ts';
import { rocChart } from '../charts/roc-chart.ts';
import { scoreDistributionChart } from '../charts/score-distribution-chart.ts';
import { segmentRateChart } from '../charts/segment-rate-chart.ts';
import type { RunReportData } from './report-data.ts';

export interface ReportCharts {
  roc?: ChartImage;
  pr?: ChartImage;
  confusion?: ChartImage;
  lift?: ChartImage;
  importance?: ChartImage;
  distribution?: ChartImage;
  trend?: ChartImage;
  segments: ChartImage[];
  features: ChartImage[];
}

/** Each exploratory chart is ~40 kB and a screen tall; past four the email stops being read. */
export const MAX_EXPLORATORY_CHARTS = 4;

/** Render every chart the data supports; a missing or empty section simply has no chart. */
export async function renderReportCharts(data: RunReportData): Promise<ReportCharts> {
  const m = data.metrics;
  const baseRate = data.baseRate;
  const histogram = data.scoreHistogram;
  const trend = data.trend ?? [];
  const trendPoints = trend.filter(
    (p) => p.rocAuc !== undefined || p.baseRate !== undefined || p.customersScored !== undefined,
  ).length;
  const segments = (data.exploratory?.segments ?? [])
    .filter((s) => s.rows.length > 0)
    .slice(0, MAX_EXPLORATORY_CHARTS);
  const features = (data.exploratory?.featureDistributions ?? [])
    .filter((f) => f.bins.length > 0)
    .slice(0, MAX_EXPLORATORY_CHARTS);

  // Started together: vega and resvg are synchronous in parts, but awaiting each chart in turn
  // would also serialise the async gaps between them.
  const [roc, pr, confusion, lift, importance, distribution, trendChart, segmentCharts, featureCharts] =
    await Promise.all([
      m?.roc && m.roc.length > 1 ? rocChart(m.roc, m.rocAuc) : undefined,
      m?.pr && m.pr.length > 1 && baseRate !== undefined ? prChart(m.pr, baseRate, m.prAuc) : undefined,
      m ? confusionChart(m.confusion, m.threshold) : undefined,
      m?.lift && m.lift.length > 0 ? liftChart(m.lift) : undefined,
      m?.featureImportance && m.featureImportance.length > 0
        ? featureImportanceChart(m.featureImportance)
        : undefined,
      histogram && histogram.tonight.length > 0
        ? scoreDistributionChart(histogram.tonight, histogram.previous)
        : undefined,
      trendPoints > 1 ? metricTrendChart(trend) : undefined,
      Promise.all(
        segments.map((s, i) =>
          segmentRateChart(s.name, s.rows, {
            key: chartKey('segment-rate', s.name, i),
            ...(baseRate === undefined ? {} : { baseRate }),
          }),
        ),
      ),
      Promise.all(
        features.map((f, i) =>
          featureDistributionChart(f.feature, f.bins, {
            key: chartKey('feature-distribution', f.feature, i),
          }),
        ),
      ),
    ]);
  return {
    ...(roc && { roc }),
    ...(pr && { pr }),
    ...(confusion && { confusion }),
    ...(lift && { lift }),
    ...(importance && { importance }),
    ...(distribution && { distribution }),
    ...(trendChart && { trend: trendChart }),
    segments: segmentCharts,
    features: featureCharts,
  };
}
