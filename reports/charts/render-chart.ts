import { existsSync } from 'node:fs';
import { renderAsync } from '@resvg/resvg-js';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartImage } from './chart-image.ts';
import { CHART_FONT, chartConfig } from './chart-theme.ts';
import { useDejaVuTextMetrics } from './text-width.ts';

/** 2x keeps lines and text crisp on HiDPI mail clients while PNGs stay ~30-80 kB each. */
export const CHART_PIXEL_RATIO = 2;

export interface ChartMeta {
  /** Stable, file-name-safe key, e.g. `roc-curve`; becomes the cid and the file name. */
  key: string;
  alt: string;
}

/**
 * Compile a Vega-Lite spec, lay it out with vega (no DOM: renderer 'none'), and rasterise the
 * SVG with resvg. Pure apart from reading system fonts; the vega modules are loaded once per
 * process, so only the per-spec parse is paid for each chart.
 */
export async function renderChart(spec: TopLevelSpec, meta: ChartMeta): Promise<ChartImage> {
  useDejaVuTextMetrics();
  const withTheme = { ...spec, config: { ...chartConfig, ...spec.config } } as TopLevelSpec;
  const compiled = compile(withTheme).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const { width, height } = svgSize(svg);
    // renderAsync rasterises on libuv's thread pool, so the next chart's vega layout (main
    // thread) overlaps this one's rasterising: about half the wall time on two cores.
    const png = (
      await renderAsync(svg, {
        fitTo: { mode: 'zoom', value: CHART_PIXEL_RATIO },
        font: fontOptions(),
        background: 'white',
      })
    ).asPng();
    return {
      cid: `${meta.key}@cpd.report`,
      filename: `${meta.key}.png`,
      png,
      svg,
      width,
      height,
      alt: meta.alt,
    };
  } finally {
    // Views hold timers and listeners; finalize so a long-lived worker does not accumulate them.
    view.finalize();
  }
}

/** Where Debian, Ubuntu, Fedora and Alpine put DejaVu (package fonts-dejavu-core or similar). */
const DEJAVU_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/TTF',
];
let fonts: ResvgRenderOptions['font'] | undefined;

/**
 * Loading only the DejaVu folder is ~5 ms per chart cheaper than scanning every system font;
 * where it is not installed, fall back to the system fonts so text still renders somehow.
 */
function fontOptions(): ResvgRenderOptions['font'] {
  if (fonts) return fonts;
  const dir = DEJAVU_DIRS.find((d) => existsSync(d));
  const base = { defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT };
  fonts = dir ? { ...base, loadSystemFonts: false, fontDirs: [dir] } : { ...base, loadSystemFonts: true };
  return fonts;
}

function svgSize(svg: string): { width: number; height: number } {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1]);
  if (!(width > 0 && height > 0))
    throw new Error(`vega produced an SVG without a size: ${open.slice(0, 120)}`);
  return { width: Math.round(width), height: Math.round(height) };
}
