/**
 * Worker thread for render-chart.ts: compile one themed Vega-Lite spec, lay it out with vega and
 * rasterise it with resvg, all off the main thread, so a report's charts use every core.
 * Plain JavaScript (no TypeScript loader needed), so it runs the same under tsx, vitest and node.
 * Text widths come from workerData (text-width.ts's DejaVu table) so layout matches the
 * in-process renderer exactly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';

const { widths, digitWidth, otherWidth, boldFactor } = workerData.textMetrics;

function textWidth(text, fontSize, bold) {
  let em = 0;
  for (const ch of text) em += ch >= '0' && ch <= '9' ? digitWidth : (widths[ch] ?? otherWidth);
  return em * fontSize * (bold ? boldFactor : 1);
}

// Same estimator as text-width.ts's useDejaVuTextMetrics (vega's typings omit textMetrics).
vega.textMetrics.width = (item, text) => {
  const fontSize = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = textWidth(text == null ? '' : String(text).trim(), fontSize, bold);
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
};

parentPort.on('message', async ({ id, spec, pixelRatio, font }) => {
  let view;
  try {
    view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: pixelRatio }, font, background: 'white' })
      .render()
      .asPng();
    parentPort.postMessage({ id, svg, png });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  } finally {
    view?.finalize();
  }
});
