import type { Dataset } from '../dataset.ts';

/**
 * How a logistic regression reads the features, learned from the training rows: numbers
 * standardised (log1p first when non-negative and right-skewed, as amounts and counts are),
 * missing numbers at the mean with an indicator column, categories one-hot (codes seen at least
 * MIN_CODE_ROWS times, at most MAX_CODES per feature, the rest share the all-zero baseline).
 */
export interface DesignColumn {
  /** Index of the source feature (reasons are summed back per feature). */
  feature: number;
  kind: 'num' | 'missing' | 'code';
  log: boolean;
  /** For kind 'code': the category code this column is 1 for. */
  code: number;
  mean: number;
  sd: number;
}

const MIN_CODE_ROWS = 5;
const MAX_CODES = 50;

export function buildDesign(data: Dataset): DesignColumn[] {
  const out: DesignColumn[] = [];
  data.columns.forEach((col, f) => {
    if (data.categorical[f]) {
      const counts = new Map<number, number>();
      for (const v of col) if (v === v) counts.set(v, (counts.get(v) ?? 0) + 1);
      const codes = [...counts.entries()]
        .filter(([, n]) => n >= MIN_CODE_ROWS)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, MAX_CODES)
        .map(([c]) => c)
        .sort((a, b) => a - b);
      for (const code of codes) {
        const p = counts.get(code)! / data.nRows;
        out.push({ feature: f, kind: 'code', log: false, code, mean: p, sd: Math.sqrt(p * (1 - p)) || 1 });
      }
      return;
    }
    let n = 0;
    let neg = false;
    for (const v of col) {
      if (v !== v) continue;
      n++;
      if (v < 0) neg = true;
    }
    const log = !neg && n > 0 && skewness(col) > 1;
    const t = (v: number) => (log ? Math.log1p(v) : v);
    let s = 0;
    let s2 = 0;
    for (const v of col) {
      if (v !== v) continue;
      const tv = t(v);
      s += tv;
      s2 += tv * tv;
    }
    const mean = n ? s / n : 0;
    const sd = n ? Math.sqrt(Math.max(0, s2 / n - mean * mean)) : 0;
    if (sd > 0) out.push({ feature: f, kind: 'num', log, code: 0, mean, sd });
    if (n < data.nRows && n > 0) {
      const p = 1 - n / data.nRows;
      out.push({
        feature: f,
        kind: 'missing',
        log: false,
        code: 0,
        mean: p,
        sd: Math.sqrt(p * (1 - p)) || 1,
      });
    }
  });
  return out;
}

function skewness(col: Float64Array): number {
  let n = 0;
  let s = 0;
  for (const v of col) {
    if (v !== v) continue;
    n++;
    s += v;
  }
  if (n < 3) return 0;
  const m = s / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of col)
    if (v === v) {
      const d = v - m;
      m2 += d * d;
      m3 += d * d * d;
    }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}

/** Row-major design matrix (standardised, so 0 = the average training row). */
export function designMatrix(design: DesignColumn[], columns: Float64Array[], nRows: number): Float64Array {
  const d = design.length;
  const x = new Float64Array(nRows * d);
  design.forEach((c, j) => {
    const col = columns[c.feature]!;
    for (let i = 0; i < nRows; i++) {
      const v = col[i]!;
      let raw: number;
      if (c.kind === 'code') raw = v === c.code ? 1 : 0;
      else if (c.kind === 'missing') raw = v === v ? 0 : 1;
      else raw = v === v ? (c.log ? Math.log1p(Math.max(0, v)) : v) : c.mean;
      x[i * d + j] = (raw - c.mean) / c.sd;
    }
  });
  return x;
}
