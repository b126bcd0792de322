import { minimizeBfgs } from './bfgs.ts';
import { minimize } from './nelder-mead.ts';
import { digamma, lgamma } from './special.ts';

/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Hardie's note "The
 * Gamma-Gamma model of monetary value"): a customer's transaction values are Gamma(p, ν) with
 * ν ~ Gamma(q, γ) across customers, independent of how often she buys. Fitted on the customers
 * with x ≥ 1 repeat transactions, m = the mean value of those repeat transactions.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLik: number;
  customers: number;
  /** Pearson correlation of x and m over the fitted customers: the model assumes about 0. */
  frequencySpendCorrelation: number;
  converged: boolean;
}

/**
 * ln f(m | p, q, γ; x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x
 * − (px+q) ln(γ + m x), summed over customers (x ≥ 1, m > 0).
 */
export function gammaGammaLogLik(g: GammaGammaParams, x: ArrayLike<number>, m: ArrayLike<number>): number {
  const { p, q, gamma } = g;
  const base = -lgamma(q) + q * Math.log(gamma);
  const byX = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const px = p * xi;
    let lg = byX.get(xi);
    if (lg === undefined) {
      lg = lgamma(px + q) - lgamma(px) + px * Math.log(xi);
      byX.set(xi, lg);
    }
    const mi = m[i]!;
    total += base + lg + (px - 1) * Math.log(mi) - (px + q) * Math.log(gamma + mi * xi);
  }
  return total;
}

const STARTS: [number, number, number][] = [
  [1, 1, 1],
  [6, 4, 15],
  [2, 10, 100],
];

/** The log-likelihood and its gradient with respect to (ln p, ln q, ln γ). */
export function gammaGammaLogLikGradient(
  g: GammaGammaParams,
  x: ArrayLike<number>,
  m: ArrayLike<number>,
): { logLik: number; gradient: number[] } {
  const { p, q, gamma } = g;
  const lnGamma = Math.log(gamma);
  const base = -lgamma(q) + q * lnGamma;
  const psiQ = digamma(q);
  // Per distinct x: the log-gamma part, ψ(px+q) − ψ(px) + ln x (for ∂p) and ψ(px+q) (for ∂q).
  const byX = new Map<number, [number, number, number]>();
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const px = p * xi;
    let cached = byX.get(xi);
    if (cached === undefined) {
      const psiPXQ = digamma(px + q);
      const lx = Math.log(xi);
      cached = [lgamma(px + q) - lgamma(px) + px * lx, psiPXQ - digamma(px) + lx, psiPXQ];
      byX.set(xi, cached);
    }
    const mi = m[i]!;
    const lm = Math.log(mi);
    const lsum = Math.log(gamma + mi * xi);
    total += base + cached[0] + (px - 1) * lm - (px + q) * lsum;
    gp += xi * (cached[1] + lm - lsum);
    gq += cached[2] - psiQ + lnGamma - lsum;
    gg += q / gamma - (px + q) / (gamma + mi * xi);
  }
  return { logLik: total, gradient: [gp * p, gq * q, gg * gamma] };
}

/** Repeat buyers the starting search runs on (every k-th above it); as bg-nbd.ts's COARSE_GROUPS. */
const COARSE_CUSTOMERS = 2_000;

/**
 * Maximum likelihood in log space: Nelder–Mead with restarts from each start (on every k-th
 * customer when there are many), the best polished by BFGS with the analytic gradient on all.
 */
export function fitGammaGamma(x: ArrayLike<number>, m: ArrayLike<number>): GammaGammaFit {
  const n = x.length;
  if (n === 0) throw new RangeError('Gamma-Gamma: no repeat buyers to fit');
  for (let i = 0; i < n; i++)
    if (!(x[i]! >= 1 && m[i]! > 0))
      throw new RangeError(`Gamma-Gamma: customer ${i} has x=${x[i]}, m=${m[i]}; need x >= 1 and m > 0`);
  let meanM = 0;
  for (let i = 0; i < n; i++) meanM += m[i]! / n;
  const k = Math.ceil(n / COARSE_CUSTOMERS);
  const cx = k > 1 ? Array.from({ length: Math.ceil(n / k) }, (_, j) => x[j * k]!) : x;
  const cm = k > 1 ? Array.from({ length: Math.ceil(n / k) }, (_, j) => m[j * k]!) : m;
  const objective = (v: number[]) => -gammaGammaLogLik(paramsOf(v), cx, cm) / cx.length;
  let best: ReturnType<typeof minimize> | null = null;
  for (const [p, q, gammaPerMean] of STARTS) {
    // γ scales with the currency: start it relative to the mean spend (CDNOW: γ ≈ 15.4 ≈ 0.43·mean).
    const res = minimize(objective, [Math.log(p), Math.log(q), Math.log((gammaPerMean * meanM) / 35)], {
      step: 0.5,
      tolerance: 1e-12,
      maxEvaluations: 4_000,
    });
    if (!best || res.value < best.value) best = res;
  }
  const polished = minimizeBfgs(
    (v) => {
      const { logLik, gradient } = gammaGammaLogLikGradient(paramsOf(v), x, m);
      return { value: -logLik / n, gradient: gradient.map((g) => -g / n) };
    },
    best!.x,
    { gradientTolerance: 1e-8 },
  );
  return {
    params: paramsOf(polished.x),
    logLik: -polished.value * n,
    customers: n,
    frequencySpendCorrelation: pearson(x, m),
    converged: polished.converged && (k > 1 || best!.converged),
  };
}

function paramsOf(v: number[]): GammaGammaParams {
  return { p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) };
}

/**
 * E[M | p, q, γ, m, x] = p(γ + m x)/(px + q − 1): a weighted mean of the population mean
 * pγ/(q−1) and the customer's own mean m. x = 0 gives the population mean. Needs q > 1.
 */
export function expectedSpend(g: GammaGammaParams, x: number, m: number): number {
  return (g.p * (g.gamma + (x > 0 ? m * x : 0))) / (g.p * x + g.q - 1);
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
