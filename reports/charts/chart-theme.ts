import type { Config } from 'vega-lite';

/** The report's palette: one place, so every chart and the HTML agree on what "tonight" looks like. */
export const palette = {
  primary: '#2563eb',
  secondary: '#f59e0b',
  muted: '#9ca3af',
  good: '#16a34a',
  bad: '#dc2626',
  ink: '#1f2937',
  grid: '#e5e7eb',
  heatLow: '#eff6ff',
  heatHigh: '#1e40af',
} as const;

/** Width, in CSS pixels, every single-panel chart is fitted to: fits a 640 px email column with margins. */
export const CHART_WIDTH = 600;

/**
 * DejaVu Sans ships with Debian (fonts-dejavu-core), so the text vega lays out is the text
 * resvg finds on the machine; an unknown family would make resvg drop every label.
 */
export const CHART_FONT = 'DejaVu Sans';

export const chartConfig: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: {
    fontSize: 15,
    fontWeight: 'bold',
    anchor: 'start',
    color: palette.ink,
    subtitleColor: '#4b5563',
    subtitleFontSize: 12,
    offset: 10,
  },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#374151',
    labelColor: '#4b5563',
    gridColor: palette.grid,
    domainColor: palette.muted,
    tickColor: palette.muted,
    titlePadding: 8,
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'top',
    direction: 'horizontal',
    titleOrient: 'left',
  },
  range: { category: [palette.primary, palette.secondary, palette.good, palette.bad, '#7c3aed', '#0891b2'] },
  line: { strokeWidth: 2.5 },
};
