/**
 * One rendered chart, ready to be inlined in an email (referenced as `cid:<cid>`)
 * or written next to an HTML archive as `img/<filename>`.
 *
 * `width`/`height` are CSS pixels (what the `<img>` tag declares); the PNG itself is
 * rasterised at `CHART_PIXEL_RATIO` times that size so it stays sharp on HiDPI screens.
 */
export interface ChartImage {
  cid: string;
  filename: string;
  png: Buffer;
  svg: string;
  width: number;
  height: number;
  alt: string;
}
