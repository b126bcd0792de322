import { rocAuc } from '../../ml/metrics.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';

export interface LeakSuspect {
  feature: string;
  auc: number;
}

/**
 * Features that alone separate the label: ROC-AUC of the raw values (either direction) above
 * `maxAuc`. Missing values rank lowest. A categorical ranks by its categories' positive rate, so
 * an id-like column (one category per row) is caught too. Such a feature usually carries the
 * outcome itself (the shoppers file's PageValues includes the session's own purchase).
 */
export function leakSuspects(
  m: Pick<FeatureMatrix, 'featureNames' | 'categorical' | 'columns' | 'labels'>,
  maxAuc: number,
): LeakSuspect[] {
  const out: LeakSuspect[] = [];
  let pos = 0;
  for (const l of m.labels) pos += l;
  if (pos === 0 || pos === m.labels.length) return out;
  m.featureNames.forEach((feature, j) => {
    const col = m.columns[j]!;
    const scores = m.categorical[j] ? categoryRates(col, m.labels) : withMissingLowest(col);
    const auc = rocAuc(m.labels, scores);
    const best = Math.max(auc, 1 - auc);
    if (best > maxAuc) out.push({ feature, auc: best });
  });
  return out.sort((a, b) => b.auc - a.auc);
}

export function leakWarning(s: LeakSuspect): string {
  return `possible label leak: feature "${s.feature}" alone separates the label (ROC-AUC ${s.auc.toFixed(3)}); check it is known before the outcome`;
}

function withMissingLowest(col: Float64Array): Float64Array {
  let min = Infinity;
  for (const v of col) if (v < min) min = v;
  const floor = Number.isFinite(min) ? min - 1 : 0;
  return col.map((v) => (v === v ? v : floor));
}

function categoryRates(col: Float64Array, labels: Uint8Array): Float64Array {
  const sums = new Map<number, [number, number]>();
  col.forEach((v, i) => {
    const k = v === v ? v : -1;
    const s = sums.get(k) ?? [0, 0];
    s[0] += labels[i]!;
    s[1] += 1;
    sums.set(k, s);
  });
  return col.map((v) => {
    const s = sums.get(v === v ? v : -1)!;
    return s[0] / s[1];
  });
}
