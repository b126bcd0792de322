import { existsSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartImage } from './chart-image.ts';
import { CHART_FONT, chartConfig } from './chart-theme.ts';
import { ASCII_WIDTHS, BOLD_FACTOR, DIGIT_WIDTH, OTHER_WIDTH, useDejaVuTextMetrics } from './text-width.ts';

/**
 * 1.5x: still crisp on HiDPI mail clients (a 600 px chart is a 900 px PNG) and ~40% cheaper to
 * rasterise than 2x, which was most of the report's render time; PNGs stay ~20-60 kB each.
 */
export const CHART_PIXEL_RATIO = 1.5;

export interface ChartMeta {
  /** Stable, file-name-safe key, e.g. `roc-curve`; becomes the cid and the file name. */
  key: string;
  alt: string;
}

/**
 * Compile a Vega-Lite spec, lay it out with vega (no DOM: renderer 'none'), and rasterise the
 * SVG with resvg. Pure apart from reading system fonts.
 *
 * The whole pipeline (compile + layout + SVG + raster) runs in a small pool of worker threads,
 * one per core: on the main thread vega's layout is single-threaded and was most of a report's
 * render time. Where a worker cannot start, the chart is rendered in-process instead.
 */
export async function renderChart(spec: TopLevelSpec, meta: ChartMeta): Promise<ChartImage> {
  const withTheme = { ...spec, config: { ...chartConfig, ...spec.config } } as TopLevelSpec;
  let rendered: { svg: string; png: Buffer } | undefined;
  const pool = chartPool();
  if (pool) {
    try {
      rendered = await pool.render(withTheme);
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error;
    }
  }
  rendered ??= await renderInProcess(withTheme);
  const { svg, png } = rendered;
  const { width, height } = svgSize(svg);
  return {
    cid: `${meta.key}@cpd.report`,
    filename: `${meta.key}.png`,
    png,
    svg,
    width,
    height,
    alt: meta.alt,
  };
}

/** The same pipeline on the calling thread: the fallback where worker threads are unavailable. */
async function renderInProcess(spec: TopLevelSpec): Promise<{ svg: string; png: Buffer }> {
  // Loaded here, not at import: with the worker pool the main thread never needs vega or resvg.
  const [vega, { compile }, { renderAsync }] = await Promise.all([
    import('vega'),
    import('vega-lite'),
    import('@resvg/resvg-js'),
  ]);
  const { parse, View } = vega;
  useDejaVuTextMetrics(vega);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = (
      await renderAsync(svg, {
        fitTo: { mode: 'zoom', value: CHART_PIXEL_RATIO },
        font: fontOptions(),
        background: 'white',
      })
    ).asPng();
    return { svg, png };
  } finally {
    // Views hold timers and listeners; finalize so a long-lived worker does not accumulate them.
    view.finalize();
  }
}

class WorkerUnavailableError extends Error {}

interface WorkerReply {
  id: number;
  svg?: string;
  png?: Uint8Array;
  error?: string;
}

interface PendingChart {
  resolve: (value: { svg: string; png: Buffer }) => void;
  reject: (error: Error) => void;
}

/**
 * Up to one worker per core, started on first use and kept for the process (vega and resvg load
 * once per worker). Idle workers are unref'd so they never keep a CLI or test process alive.
 */
class ChartPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, PendingChart & { slot: { worker: Worker; busy: number } }>();
  private nextId = 0;
  broken = false;

  constructor(private readonly size: number) {}

  render(spec: TopLevelSpec): Promise<{ svg: string; png: Buffer }> {
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage({ id, spec, pixelRatio: CHART_PIXEL_RATIO, font: fontOptions() });
    });
  }

  /** The least busy worker, starting another while under the pool size. */
  private pick(): { worker: Worker; busy: number } {
    const idle = this.workers.find((w) => w.busy === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.start();
    return this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private start(): { worker: Worker; busy: number } {
    const worker = new Worker(new URL('./chart-worker.mjs', import.meta.url), {
      workerData: {
        textMetrics: {
          widths: ASCII_WIDTHS,
          digitWidth: DIGIT_WIDTH,
          otherWidth: OTHER_WIDTH,
          boldFactor: BOLD_FACTOR,
        },
      },
      // The worker is plain JavaScript; do not make it load the parent's TypeScript loader.
      execArgv: [],
    });
    worker.unref();
    const slot = { worker, busy: 0 };
    this.workers.push(slot);
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    const fail = (error: Error) => {
      // A worker that died (failed to load, crashed) is dropped; its charts fall back in-process.
      const index = this.workers.indexOf(slot);
      if (index >= 0) this.workers.splice(index, 1);
      if (this.workers.length === 0) this.broken = true;
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        p.reject(new WorkerUnavailableError(error.message));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`chart worker exited with code ${code}`)));
    return slot;
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (--p.slot.busy === 0) p.slot.worker.unref();
    if (reply.error !== undefined || !reply.svg || !reply.png) {
      p.reject(new Error(reply.error ?? 'chart worker returned no image'));
      return;
    }
    p.resolve({
      svg: reply.svg,
      png: Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength),
    });
  }
}

let pool: ChartPool | undefined;

function chartPool(): ChartPool | undefined {
  if (process.env.CPD_CHART_WORKERS === '0') return undefined;
  pool ??= new ChartPool(Math.max(1, Math.min(4, os.availableParallelism())));
  return pool.broken ? undefined : pool;
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
