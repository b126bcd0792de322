/**
 * The special functions the buy-till-you-die models need, in double precision: log-gamma
 * (Lanczos, g = 7, 9 terms: ~1e-15 relative for x > 0) and the Gauss hypergeometric series
 * 2F1(a, b; c; z) for |z| < 1. Callers keep z away from 1 by the transformations they know
 * (see bg-nbd.ts): here the series is summed as it is, with a stated term budget.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection below 0.5). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const y = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return HALF_LOG_2PI + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Terms the series may take before it is declared not converging (z = 0.97 needs ~1,200). */
const MAX_TERMS = 20_000;

/**
 * 2F1(a, b; c; z) = Σ (a)_k (b)_k / ((c)_k k!) z^k for |z| < 1, c not a non-positive integer.
 * Stops when a term no longer changes the sum; throws rather than return a wrong value.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) throw new RangeError(`hyp2f1: the series needs |z| < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < MAX_TERMS; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (term === 0) return sum;
    // Small and shrinking from here on: the rest of the series is below the last term's order.
    const next = Math.abs((((a + k + 1) * (b + k + 1)) / ((c + k + 1) * (k + 2))) * z);
    if (Math.abs(term) <= 1e-17 * Math.abs(sum) && next < 1) return sum;
  }
  throw new RangeError(`hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge in ${MAX_TERMS} terms`);
}

/** ψ(x), the digamma function, for x > 0 (recurrence up to x ≥ 6, then the asymptotic series). */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
