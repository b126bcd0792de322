import { createRng, type Rng } from '../random.ts';
import type { BgNbdParams } from './bg-nbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';
import type { Histories } from './histories.ts';

/** Gamma(shape, rate 1) by Marsaglia & Tsang (2000); shape < 1 through the U^(1/shape) boost. */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function sampleNormal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Purchase histories drawn from BG/NBD itself: each customer gets λ ~ Gamma(r, α), p ~ Beta(a, b),
 * makes a first purchase at time 0, then buys after exponential waits and drops out right after
 * each repeat purchase with probability p. Observed for T[i] time units (the cutoff), like the paper's cohort.
 * With `holdout` > 0 also counts the purchases in (T, T + holdout] (what a validation window sees).
 */
export function simulateBgNbd(
  p: BgNbdParams,
  T: ArrayLike<number>,
  seed: number,
  holdout = 0,
): Histories & { future: Float64Array } {
  const rng = createRng(seed, 7);
  const n = T.length;
  const out = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: Float64Array.from(T),
    future: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const lambda = sampleGamma(rng, p.r) / p.alpha;
    const g1 = sampleGamma(rng, p.a);
    const dropout = g1 / (g1 + sampleGamma(rng, p.b));
    const end = T[i]! + holdout;
    let t = 0;
    let x = 0;
    let tx = 0;
    let future = 0;
    // Drop-out can happen right after each repeat purchase, never after the first (time 0).
    for (;;) {
      t += -Math.log(1 - rng.next()) / lambda;
      if (t > end) break;
      if (t <= T[i]!) {
        x++;
        tx = t;
      } else future++;
      if (rng.next() < dropout) break;
    }
    out.x[i] = x;
    out.tx[i] = tx;
    out.future[i] = future;
  }
  return out;
}

/**
 * Spend from the Gamma-Gamma model: each customer's mean spend ν ~ Gamma(q, rate γ), each of
 * her x[i] transactions ~ Gamma(p, rate ν); returns the customers' average transaction values.
 */
export function simulateGammaGamma(g: GammaGammaParams, x: ArrayLike<number>, seed: number): Float64Array {
  const rng = createRng(seed, 11);
  const m = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const nu = sampleGamma(rng, g.q) / g.gamma;
    let sum = 0;
    for (let j = 0; j < x[i]!; j++) sum += sampleGamma(rng, g.p) / nu;
    m[i] = x[i]! > 0 ? sum / x[i]! : 0;
  }
  return m;
}
