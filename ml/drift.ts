/**
 * Population Stability Index between a reference sample (training time) and a current one
 * (tonight's scoring data): Σ (cur% − ref%) · ln(cur% / ref%) over bins cut at the reference's
 * deciles. Missing values (NaN) get their own bin, so a feed that starts dropping a field drifts.
 */
export type DriftBand = 'stable' | 'moderate' | 'significant';

export interface PsiResult {
  psi: number;
  band: DriftBand;
  /** Upper edges of the value bins (the last bin is open-ended). */
  edges: number[];
  bins: { reference: number; current: number }[];
  /** Shares of NaN values (their own bin, counted in psi when either side has any). */
  missing: { reference: number; current: number };
}

/** Share used for an empty bin, so ln() stays finite and one empty bin cannot dominate. */
const EMPTY_SHARE = 1e-4;

/** Conventional PSI bands: < 0.1 stable, < 0.25 moderate, else significant. */
export function psiBand(psi: number): DriftBand {
  if (psi < 0.1) return 'stable';
  if (psi < 0.25) return 'moderate';
  return 'significant';
}

export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, nBins = 10): PsiResult {
  const ref = Array.from(reference).filter((v) => v === v);
  const sorted = Float64Array.from(ref).sort();
  const edges: number[] = [];
  // Reference quantiles as edges; duplicates collapse (a mostly-zero feature has fewer bins).
  for (let k = 1; k < nBins && sorted.length > 0; k++) {
    const q = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / nBins))]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  const count = (values: ArrayLike<number>): { bins: number[]; missing: number; n: number } => {
    const bins = new Array<number>(edges.length + 1).fill(0);
    let missing = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v !== v) {
        missing++;
        continue;
      }
      // Bin b holds edges[b-1] ≤ v < edges[b].
      let b = 0;
      while (b < edges.length && v >= edges[b]!) b++;
      bins[b]! += 1;
    }
    return { bins, missing, n: values.length };
  };
  const r = count(reference);
  const c = count(current);
  const share = (k: number, n: number): number => (n > 0 ? k / n : 0);
  const term = (a: number, b: number): number => {
    const p = Math.max(a, EMPTY_SHARE);
    const q = Math.max(b, EMPTY_SHARE);
    return (q - p) * Math.log(q / p);
  };
  const bins = r.bins.map((k, b) => ({ reference: share(k, r.n), current: share(c.bins[b]!, c.n) }));
  const missing = { reference: share(r.missing, r.n), current: share(c.missing, c.n) };
  let total = bins.reduce((s, x) => s + term(x.reference, x.current), 0);
  if (r.missing > 0 || c.missing > 0) total += term(missing.reference, missing.current);
  return { psi: total, band: psiBand(total), edges, bins, missing };
}
