import type * as Vega from 'vega';

/**
 * Approximate DejaVu Sans advance widths (em) for printable ASCII, from the font's hmtx table.
 * Without a canvas, vega estimates every glyph at 0.8 em, which is ~30% too wide for this font:
 * labels get truncated early ("Predicted no purc…") and long axis titles push the chart title
 * off the image. A per-glyph table gets layout close to what resvg then draws.
 */
export const ASCII_WIDTHS: Readonly<Record<string, number>> = {
  ' ': 0.318,
  '!': 0.401,
  '"': 0.46,
  '#': 0.838,
  $: 0.636,
  '%': 0.95,
  '&': 0.78,
  "'": 0.275,
  '(': 0.39,
  ')': 0.39,
  '*': 0.5,
  '+': 0.838,
  ',': 0.318,
  '-': 0.361,
  '.': 0.318,
  '/': 0.337,
  ':': 0.337,
  ';': 0.337,
  '<': 0.838,
  '=': 0.838,
  '>': 0.838,
  '?': 0.531,
  '@': 1.0,
  '[': 0.39,
  '\\': 0.337,
  ']': 0.39,
  '^': 0.838,
  _: 0.5,
  '`': 0.5,
  '{': 0.636,
  '|': 0.337,
  '}': 0.636,
  '~': 0.838,
  A: 0.684,
  B: 0.686,
  C: 0.698,
  D: 0.77,
  E: 0.632,
  F: 0.575,
  G: 0.775,
  H: 0.752,
  I: 0.295,
  J: 0.295,
  K: 0.656,
  L: 0.557,
  M: 0.863,
  N: 0.748,
  O: 0.787,
  P: 0.603,
  Q: 0.787,
  R: 0.695,
  S: 0.635,
  T: 0.611,
  U: 0.732,
  V: 0.684,
  W: 0.989,
  X: 0.685,
  Y: 0.611,
  Z: 0.685,
  a: 0.613,
  b: 0.635,
  c: 0.55,
  d: 0.635,
  e: 0.615,
  f: 0.352,
  g: 0.635,
  h: 0.634,
  i: 0.278,
  j: 0.278,
  k: 0.579,
  l: 0.278,
  m: 0.974,
  n: 0.634,
  o: 0.612,
  p: 0.635,
  q: 0.635,
  r: 0.411,
  s: 0.521,
  t: 0.392,
  u: 0.634,
  v: 0.592,
  w: 0.818,
  x: 0.592,
  y: 0.592,
  z: 0.525,
};
export const DIGIT_WIDTH = 0.636;
/** Non-ASCII glyphs (accents, CJK, emoji in customer-supplied names) vary; err wide so nothing overlaps. */
export const OTHER_WIDTH = 0.75;
/** Bold DejaVu runs about 10% wider than Book. */
export const BOLD_FACTOR = 1.1;

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

export function dejaVuTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += ch >= '0' && ch <= '9' ? DIGIT_WIDTH : (ASCII_WIDTHS[ch] ?? OTHER_WIDTH);
  return em * fontSize * (bold ? BOLD_FACTOR : 1);
}

let installed = false;

/**
 * Point vega's text measurement at the table above. vega keeps one process-wide `textMetrics`;
 * we only ever lay out charts in DejaVu Sans, so replacing its estimator is safe, and doing it on
 * first render (not at import) keeps importing this module free of side effects.
 */
export function useDejaVuTextMetrics(vega: typeof Vega): void {
  if (installed) return;
  installed = true;
  // vega exports textMetrics at runtime but its typings omit it.
  const { textMetrics } = vega as unknown as {
    textMetrics: { width: (item: TextItem, text?: unknown) => number };
  };
  textMetrics.width = (item, text) => {
    const fontSize = item.fontSize ?? 11;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    const width = dejaVuTextWidth(text == null ? '' : String(text).trim(), fontSize, bold);
    // vega truncates labels to `limit` (with an ellipsis) before drawing; bounds must agree.
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}
