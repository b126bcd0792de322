import { type BgNbdFit, expectedPurchases, fitBgNbd, medianTimeToNext, pAlive } from './bg-nbd.ts';
import { expectedSpend, fitGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';
import { groupHistories, type Histories } from './histories.ts';

/** Days per time unit the models are fitted in (the unit is declared and stored with the fit). */
export const unitDays = { day: 1, week: 7 } as const;
export type TimeUnit = keyof typeof unitDays;
const DAYS_PER_MONTH = 365.25 / 12;

/** Repeat-purchase summaries plus m = mean value of the repeat transactions (0 when x = 0). */
export interface SpendHistories extends Histories {
  m: Float64Array;
}

export interface ValueOptions {
  unit: TimeUnit;
  /** The prediction horizon H, in days. */
  horizonDays: number;
  /** Monthly discount rate of the 12-month CLV (0.01 = 1 % a month). */
  monthlyDiscount: number;
  /** Fewer repeat buyers than this: no fit (the estimates of a and b would be noise). */
  minRepeatBuyers: number;
  /** |corr(x, m)| above this: the Gamma-Gamma independence assumption is violated, no spend figures. */
  maxSpendCorrelation: number;
}

export interface ValueModel {
  unit: TimeUnit;
  bgNbd: BgNbdFit | null;
  gammaGamma: GammaGammaFit | null;
  /** Why a model was not fitted or not used: shown in the run and the report. */
  warnings: string[];
}

/** What is kept of a fit (registry, report): the parameters in the model's unit and the fit's size. */
export interface BgNbdRecord {
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLik: number;
  repeatBuyers: number;
}

export interface GammaGammaRecord {
  p: number;
  q: number;
  gamma: number;
  logLik: number;
  customers: number;
  frequencySpendCorrelation: number;
}

export interface ValuePredictions {
  /** null: BG/NBD not available (see the warnings); per customer otherwise. */
  pAlive: Float64Array | null;
  expectedOrders: Float64Array | null;
  /** Median days to the next order if still active. */
  nextOrderDays: Float64Array | null;
  /** null: Gamma-Gamma not available; currency of the amounts. */
  expectedSpend: Float64Array | null;
  expectedRevenue: Float64Array | null;
  clv12: Float64Array | null;
}

/** Fits BG/NBD on every customer and Gamma-Gamma on the repeat buyers with a positive mean spend. */
export function fitCustomerValue(h: SpendHistories, o: ValueOptions): ValueModel {
  const warnings: string[] = [];
  let repeat = 0;
  for (let i = 0; i < h.x.length; i++) if (h.x[i]! > 0) repeat++;
  if (repeat < o.minRepeatBuyers) {
    warnings.push(
      `customer value: ${repeat} repeat buyers of ${h.x.length} customers, fewer than the ${o.minRepeatBuyers} needed; no BG/NBD fit`,
    );
    return { unit: o.unit, bgNbd: null, gammaGamma: null, warnings };
  }
  const bgNbd = fitBgNbd(inUnit(h, o.unit));
  const bad = degenerate(bgNbd);
  if (bad) {
    warnings.push(`customer value: the BG/NBD fit is degenerate (${bad}); not used`);
    return { unit: o.unit, bgNbd: null, gammaGamma: null, warnings };
  }
  const { a, b } = bgNbd.params;
  // A maximum on the boundary a → 0 or b → ∞ is a real answer (nobody seems to drop out: BG/NBD
  // becomes NBD), not a failed fit; its figures are finite, but P(alive) then says little.
  if (a < 1e-3 || b > 1e4)
    warnings.push(
      `customer value: drop-out is not identified in this history (a = ${a.toPrecision(3)}, b = ${b.toPrecision(3)}): P(alive) is close to 1 for everyone and expected orders follow the NBD model`,
    );
  const xs: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < h.x.length; i++)
    if (h.x[i]! > 0 && h.m[i]! > 0) {
      xs.push(h.x[i]!);
      ms.push(h.m[i]!);
    }
  if (xs.length < o.minRepeatBuyers) {
    warnings.push(
      `customer value: ${xs.length} repeat buyers with a positive spend, fewer than ${o.minRepeatBuyers}; no spend model`,
    );
    return { unit: o.unit, bgNbd, gammaGamma: null, warnings };
  }
  const gg = fitGammaGamma(xs, ms);
  const corr = gg.frequencySpendCorrelation;
  if (Math.abs(corr) > o.maxSpendCorrelation) {
    warnings.push(
      `customer value: repeat frequency and spend are correlated (r = ${corr.toFixed(2)}, limit ±${o.maxSpendCorrelation}): the Gamma-Gamma independence assumption fails; no spend figures`,
    );
    return { unit: o.unit, bgNbd, gammaGamma: gg, warnings };
  }
  if (!gg.converged || !Number.isFinite(gg.logLik) || gg.params.q <= 1) {
    warnings.push(
      `customer value: the Gamma-Gamma fit is degenerate (q = ${gg.params.q.toPrecision(3)}${gg.converged ? '' : ', not converged'}; expected spend needs q > 1); no spend figures`,
    );
    return { unit: o.unit, bgNbd, gammaGamma: null, warnings };
  }
  return { unit: o.unit, bgNbd, gammaGamma: gg, warnings };
}

/** A fit and every customer's figures from it: what a snapshot writes. */
export interface ValueFit {
  model: ValueModel;
  pred: ValuePredictions;
}

/**
 * fitCustomerValue then predictCustomerValue, as one computation (seconds at a million customers:
 * callers on a worker's main thread run it on a thread, see ml/evaluate-off-thread.ts). A fit that
 * throws becomes a model without parts and a warning, whose predictions are all null.
 */
export function fitAndPredictValue(h: SpendHistories, o: ValueOptions): ValueFit {
  let model: ValueModel;
  try {
    model = fitCustomerValue(h, o);
  } catch (err) {
    const why = err instanceof Error ? err.message.slice(0, 200) : String(err);
    model = {
      unit: o.unit,
      bgNbd: null,
      gammaGamma: null,
      warnings: [`customer value: fit failed (${why})`],
    };
  }
  return { model, pred: predictCustomerValue(model, h, o) };
}

/** Whether a spend model passed its checks (a fitted but refused one is kept for the registry). */
export function spendUsable(model: ValueModel, o: ValueOptions): boolean {
  const gg = model.gammaGamma;
  return !!gg && gg.params.q > 1 && Math.abs(gg.frequencySpendCorrelation) <= o.maxSpendCorrelation;
}

function degenerate(fit: BgNbdFit): string | null {
  const { r, alpha, a, b } = fit.params;
  if (!Number.isFinite(fit.logLik)) return 'log-likelihood not finite';
  if (!fit.converged) return 'the optimiser did not converge';
  // The purchase rate must be identified; the drop-out (a, b) may legitimately sit on the boundary.
  for (const [name, v] of Object.entries({ r, alpha }))
    if (!(v > 1e-6 && v < 1e6)) return `${name} = ${v.toPrecision(3)} at the edge of the parameter space`;
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) return `a = ${a}, b = ${b}`;
  return null;
}

function inUnit(h: Histories, unit: TimeUnit): Histories {
  const d = unitDays[unit];
  if (d === 1) return h;
  return { x: h.x, tx: h.tx.map((v) => v / d), T: h.T.map((v) => v / d) };
}

/**
 * Every customer's figures from a fitted model (histories in days, as fitted): P(alive), expected
 * orders in H, median days to the next order, expected spend per order, expected revenue in H
 * (orders × spend) and the 12-month CLV Σ_{i=1..12} spend·(E[Y(i months)] − E[Y(i−1 months)])/(1+d)^i.
 * Customers sharing (x, tx, T) share the BG/NBD terms, computed once.
 */
export function predictCustomerValue(
  model: ValueModel,
  h: SpendHistories,
  o: ValueOptions,
): ValuePredictions {
  const none: ValuePredictions = {
    pAlive: null,
    expectedOrders: null,
    nextOrderDays: null,
    expectedSpend: null,
    expectedRevenue: null,
    clv12: null,
  };
  const fit = model.bgNbd;
  if (!fit) return none;
  const d = unitDays[model.unit];
  const g = groupHistories(inUnit(h, model.unit));
  const horizon = o.horizonDays / d;
  const month = DAYS_PER_MONTH / d;
  const p = fit.params;
  const nG = g.x.length;
  const gAlive = new Float64Array(nG);
  const gOrders = new Float64Array(nG);
  const gNext = new Float64Array(nG);
  const gDiscounted = new Float64Array(nG);
  for (let k = 0; k < nG; k++) {
    const [x, tx, T] = [g.x[k]!, g.tx[k]!, g.T[k]!];
    gAlive[k] = pAlive(p, x, tx, T);
    gOrders[k] = expectedPurchases(p, horizon, x, tx, T);
    gNext[k] = medianTimeToNext(p, x, T) * d;
    let prev = 0;
    let disc = 0;
    for (let i = 1; i <= 12; i++) {
      const cum = expectedPurchases(p, i * month, x, tx, T);
      disc += (cum - prev) / Math.pow(1 + o.monthlyDiscount, i);
      prev = cum;
    }
    gDiscounted[k] = disc;
  }
  const n = h.x.length;
  const out: ValuePredictions = {
    pAlive: new Float64Array(n),
    expectedOrders: new Float64Array(n),
    nextOrderDays: new Float64Array(n),
    expectedSpend: null,
    expectedRevenue: null,
    clv12: null,
  };
  for (let i = 0; i < n; i++) {
    const k = g.groupOf[i]!;
    out.pAlive![i] = gAlive[k]!;
    out.expectedOrders![i] = gOrders[k]!;
    out.nextOrderDays![i] = gNext[k]!;
  }
  const gg = model.gammaGamma;
  if (gg && spendUsable(model, o)) {
    out.expectedSpend = new Float64Array(n);
    out.expectedRevenue = new Float64Array(n);
    out.clv12 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = g.groupOf[i]!;
      // A repeat buyer whose repeat orders net to nothing or less gets the population mean.
      const m = h.m[i]! > 0 ? h.m[i]! : 0;
      const spend = expectedSpend(gg.params, m > 0 ? h.x[i]! : 0, m);
      out.expectedSpend[i] = spend;
      out.expectedRevenue[i] = spend * gOrders[k]!;
      out.clv12[i] = spend * gDiscounted[k]!;
    }
  }
  return out;
}
