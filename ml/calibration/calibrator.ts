import { scoreOrder } from '../metrics/score-order.ts';

/**
 * Probability calibration: a map from a model's score to a probability that matches observed
 * rates, fit on rows the model did not learn from. Two methods (as scikit-learn's
 * CalibratedClassifierCV): Platt (a logistic curve on the score's log-odds, 2 parameters, safe on
 * small data) and isotonic (a monotone step fit, any shape, needs many rows). Both are made
 * strictly increasing, so a calibrated score ranks customers exactly as the model does (ROC-AUC,
 * lift and deciles are unchanged).
 */
export type Calibrator =
  | { method: 'none' }
  | { method: 'platt'; a: number; b: number }
  | { method: 'isotonic'; x: number[]; y: number[] };

export type CalibrationMethod = Calibrator['method'];

const EPS = 1e-6;
/** Weight of the raw score blended into isotonic steps: breaks ties so ranking survives, moves a probability by < 1e-6. */
const TIE_BREAK = 1e-6;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function applyCalibrator(c: Calibrator, p: number): number {
  if (p !== p) return p;
  if (c.method === 'none') return p;
  if (c.method === 'platt') return sigmoid(c.a * logit(p) + c.b);
  return (1 - TIE_BREAK) * interpolate(c.x, c.y, p) + TIE_BREAK * Math.min(1, Math.max(0, p));
}

export function applyCalibratorAll(c: Calibrator, scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = applyCalibrator(c, scores[i] as number);
  return out;
}

function interpolate(x: number[], y: number[], v: number): number {
  const n = x.length;
  if (n === 0) return v;
  if (v <= x[0]!) return y[0]!;
  if (v >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >>> 1;
    if (x[m]! <= v) lo = m;
    else hi = m;
  }
  const x0 = x[lo]!;
  const x1 = x[hi]!;
  return x1 > x0 ? y[lo]! + ((y[hi]! - y[lo]!) * (v - x0)) / (x1 - x0) : y[hi]!;
}

/**
 * Platt scaling with Platt's own small-sample targets ((n₊+1)/(n₊+2) and 1/(n₋+2) instead of 1
 * and 0), fitted by Newton's method on the log-odds of the score. A non-increasing fit (the model
 * ranks backwards on these rows) is refused: identity instead.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  const n = scores.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] === 1 ? 1 : 0;
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (n - pos + 2);
  const z = Float64Array.from({ length: n }, (_, i) => logit(scores[i] as number));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 1e-9;
    let h01 = 0;
    let h11 = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * z[i]! + b);
      const t = labels[i] === 1 ? hiT : loT;
      const d = p - t;
      const w = p * (1 - p);
      g0 += d * z[i]!;
      g1 += d;
      h00 += w * z[i]! * z[i]!;
      h01 += w * z[i]!;
      h11 += w;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  if (!(a > 0) || !Number.isFinite(b)) return { method: 'none' };
  return { method: 'platt', a, b };
}

/** Isotonic regression by pool-adjacent-violators; each block kept as its two ends for interpolation. */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  return fitIsotonicInOrder(scores, labels, scoreOrder(scores, 'ascending'));
}

/**
 * fitIsotonic on the rows `order` lists, which must be ascending by score with tied rows in row
 * order (scoreOrder's, or a subsequence of it: the rows of one half, in the same order). Rows with
 * a NaN score are not in it. One ranking of the calibration rows serves every isotonic fit on them.
 */
export function fitIsotonicInOrder(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
): Calibrator {
  // The blocks as a stack in flat arrays (at most one block per row).
  const n = order.length;
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  let top = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const v = scores[i] as number;
    const y = labels[i] === 1 ? 1 : 0;
    // Equal scores are one point: ties must share one value.
    if (top > 0 && hi[top - 1] === v) {
      sum[top - 1]! += y;
      cnt[top - 1]! += 1;
    } else {
      sum[top] = y;
      cnt[top] = 1;
      lo[top] = v;
      hi[top] = v;
      top++;
    }
    while (top > 1) {
      const k = top - 1;
      if (sum[k - 1]! / cnt[k - 1]! < sum[k]! / cnt[k]!) break;
      sum[k - 1]! += sum[k]!;
      cnt[k - 1]! += cnt[k]!;
      hi[k - 1] = hi[k]!;
      top--;
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < top; k++) {
    const m = sum[k]! / cnt[k]!;
    x.push(lo[k]!);
    y.push(m);
    if (hi[k]! > lo[k]!) {
      x.push(hi[k]!);
      y.push(m);
    }
  }
  return { method: 'isotonic', x, y };
}

export function fitCalibrator(
  method: CalibrationMethod,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): Calibrator {
  if (method === 'platt') return fitPlatt(scores, labels);
  if (method === 'isotonic') return fitIsotonic(scores, labels);
  return { method: 'none' };
}
