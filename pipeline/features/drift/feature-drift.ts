import { type DriftBand, psi, psiBand } from '../../../ml/drift.ts';
import type { FeatureMatrix } from '../feature-matrix-type.ts';

export interface DriftRow {
  name: string;
  psi: number;
  band: DriftBand;
  details: unknown;
}

type Columns = Pick<FeatureMatrix, 'featureNames' | 'categorical' | 'columns'>;

/** PSI of every feature, training reference vs tonight's scoring rows (bands 0.1 / 0.25). */
export function featureDrift(reference: Columns, current: Columns): DriftRow[] {
  return reference.featureNames.map((name, j) => {
    const ref = reference.columns[j]!;
    const cur = current.columns[j]!;
    if (reference.categorical[j]) return { name, ...categoricalPsi(ref, cur) };
    const r = psi(ref, cur);
    return { name, psi: r.psi, band: r.band, details: { edges: r.edges, bins: r.bins, missing: r.missing } };
  });
}

/** Quantile bins mean nothing for category codes: compare the share of each category (missing is one). */
export function categoricalPsi(
  reference: Float64Array,
  current: Float64Array,
): { psi: number; band: DriftBand; details: unknown } {
  const shares = (col: Float64Array) => {
    const m = new Map<number, number>();
    for (const v of col) m.set(v === v ? v : -1, (m.get(v === v ? v : -1) ?? 0) + 1);
    return m;
  };
  const r = shares(reference);
  const c = shares(current);
  let total = 0;
  const bins: { code: number; reference: number; current: number }[] = [];
  for (const code of new Set([...r.keys(), ...c.keys()])) {
    const p = Math.max((r.get(code) ?? 0) / Math.max(reference.length, 1), 1e-4);
    const q = Math.max((c.get(code) ?? 0) / Math.max(current.length, 1), 1e-4);
    total += (q - p) * Math.log(q / p);
    bins.push({ code, reference: p, current: q });
  }
  return {
    psi: total,
    band: psiBand(total),
    details: { bins: bins.sort((a, b) => b.reference - a.reference).slice(0, 30) },
  };
}
