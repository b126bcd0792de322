import type { Dataset } from '../dataset.ts';
import { validateDataset } from '../dataset.ts';
import { buildDesign, designMatrix } from './design.ts';
import { LogisticModel, type LogisticParams } from './logistic-model.ts';

/**
 * L2-regularised logistic regression (scikit-learn's LogisticRegression(C) objective:
 * C·Σ weighted log-loss + ½‖w‖², intercept not penalised) fitted by Newton's method on the
 * standardised design. Deterministic: no randomness at all.
 */
export function trainLogistic(
  data: Dataset,
  params: LogisticParams,
  classWeight: readonly [number, number],
  onProgress?: (done: number, total: number) => void,
): LogisticModel {
  validateDataset(data);
  const design = buildDesign(data);
  const d = design.length;
  const n = data.nRows;
  const x = designMatrix(design, data.columns, n);
  const dim = d + 1;
  const w = new Float64Array(dim); // w[d] = intercept
  const sw = Float64Array.from(data.labels, (y) => classWeight[y === 1 ? 1 : 0]);
  const C = params.C;
  const maxIter = 30;
  for (let iter = 0; iter < maxIter; iter++) {
    const g = new Float64Array(dim);
    const h = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let z = w[d]!;
      for (let j = 0; j < d; j++) z += w[j]! * x[o + j]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = C * sw[i]! * (p - data.labels[i]!);
      const q = C * sw[i]! * Math.max(p * (1 - p), 1e-10);
      for (let j = 0; j < d; j++) {
        const xj = x[o + j]!;
        g[j]! += r * xj;
        const qx = q * xj;
        const row = j * dim;
        for (let k = 0; k <= j; k++) h[row + k]! += qx * x[o + k]!;
        h[row + d]! += qx;
      }
      g[d]! += r;
      h[d * dim + d]! += q;
    }
    for (let j = 0; j < d; j++) {
      g[j]! += w[j]!;
      h[j * dim + j]! += 1;
      for (let k = 0; k < j; k++) h[k * dim + j] = h[j * dim + k]!;
      h[d * dim + j] = h[j * dim + d]!;
    }
    const step = solve(h, g, dim);
    let change = 0;
    for (let j = 0; j < dim; j++) {
      w[j]! -= step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    onProgress?.(iter + 1, maxIter);
    if (change < 1e-7) break;
  }
  onProgress?.(maxIter, maxIter);
  return new LogisticModel([...data.featureNames], params, design, Array.from(w.subarray(0, d)), w[d]!);
}

/** Solves H s = g for a symmetric positive definite H (Cholesky, with a tiny ridge if needed). */
function solve(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const s = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i]!;
    for (let k = i + 1; k < n; k++) v -= l[k * n + i]! * s[k]!;
    s[i] = v / l[i * n + i]!;
  }
  return s;
}
