import type { FeatureMatrix } from '../features/feature-matrix-type.ts';

type Columns = Pick<FeatureMatrix, 'featureNames' | 'categorical' | 'columns' | 'labels'>;

export interface SubgroupRule {
  /** Share of the subgroup's rows that have one outcome: at or above it, the subgroup "knows" the label. */
  minPurity: number;
  /** Share of all rows of that outcome the subgroup must hold to matter (a material share of buyers). */
  minShare: number;
  /** Subgroups smaller than this are never named (a handful of pure rows is chance). */
  minRows: number;
}

export interface SubgroupSuspect {
  feature: string;
  /** The subgroup, as a reader can query it: `x in [lo, hi]`, `x missing`, `x = code`. */
  subgroup: string;
  /** The outcome the subgroup nearly always has: 1 bought, 0 did not. */
  outcome: 0 | 1;
  rows: number;
  /** Share of the subgroup's rows with that outcome. */
  purity: number;
  /** Share of all rows of that outcome inside the subgroup. */
  share: number;
}

/** Equal-frequency bins of a numeric column (ties kept together); a subgroup is a run of bins. */
const BINS = 20;

interface Group {
  label: string;
  n: number;
  pos: number;
}

/**
 * A feature that, within a subgroup it defines, separates the label almost perfectly while that
 * subgroup holds a material share of one outcome: the shape of a column filled in after the
 * outcome for some rows only (a refund amount, a delivery date, "converted_at" set for online
 * buyers), whose single-feature AUC stays moderate because the other rows carry no signal.
 * Subgroups: for a number, any range of its equal-frequency bins, and its missing rows; for a
 * category, each category and the missing rows. A subgroup is named when its rows are at least
 * minPurity one outcome, it holds at least minShare of that outcome's rows and minRows rows, and
 * the other outcome is common overall, at least 10 × (1 − minPurity) of the rows (20 % at the
 * defaults; a label that is 99 % one outcome makes every subgroup "pure"), so inside the subgroup
 * it is at least 10 times rarer than overall. The widest such subgroup per feature is reported.
 */
export function subgroupSuspects(m: Columns, rule: SubgroupRule): SubgroupSuspect[] {
  const n = m.labels.length;
  let pos = 0;
  for (const l of m.labels) pos += l;
  if (pos === 0 || pos === n) return [];
  const out: SubgroupSuspect[] = [];
  m.featureNames.forEach((feature, j) => {
    const col = m.columns[j]!;
    const groups = m.categorical[j] ? categoryGroups(col, m.labels) : null;
    const best = groups
      ? bestOf(
          groups.map((g) => [g]),
          pos,
          n,
          rule,
        )
      : bestRange(col, m.labels, pos, n, rule);
    if (best) out.push({ feature, ...best });
  });
  return out.sort((a, b) => b.share - a.share || a.feature.localeCompare(b.feature));
}

function bestRange(col: Float64Array, labels: Uint8Array, pos: number, n: number, rule: SubgroupRule) {
  const order: number[] = [];
  let missing: Group = { label: 'missing', n: 0, pos: 0 };
  col.forEach((v, i) => {
    if (v === v) order.push(i);
    else missing = { ...missing, n: missing.n + 1, pos: missing.pos + labels[i]! };
  });
  order.sort((a, b) => col[a]! - col[b]!);
  const bins: (Group & { lo: number; hi: number })[] = [];
  const target = Math.max(1, Math.ceil(order.length / BINS));
  for (let k = 0; k < order.length;) {
    const lo = col[order[k]!]!;
    let end = Math.min(order.length, k + target);
    // Ties stay in one bin: a subgroup boundary is always a value a reader can write down.
    while (end < order.length && col[order[end]!] === col[order[end - 1]!]) end++;
    let p = 0;
    for (let r = k; r < end; r++) p += labels[order[r]!]!;
    bins.push({ label: '', n: end - k, pos: p, lo, hi: col[order[end - 1]!]! });
    k = end;
  }
  const candidates: Group[][] = missing.n ? [[missing]] : [];
  for (let a = 0; a < bins.length; a++)
    for (let b = a; b < bins.length; b++) {
      const range = bins.slice(a, b + 1);
      const lo = range[0]!.lo;
      const hi = range.at(-1)!.hi;
      candidates.push([
        { label: lo === hi ? `= ${fmt(lo)}` : `in [${fmt(lo)}, ${fmt(hi)}]`, n: 0, pos: 0 },
        ...range,
      ]);
    }
  return bestOf(candidates, pos, n, rule);
}

function categoryGroups(col: Float64Array, labels: Uint8Array): Group[] {
  const sums = new Map<number, Group>();
  col.forEach((v, i) => {
    const k = v === v ? v : -1;
    const g = sums.get(k) ?? { label: v === v ? `= category ${v}` : 'missing', n: 0, pos: 0 };
    g.n += 1;
    g.pos += labels[i]!;
    sums.set(k, g);
  });
  return [...sums.values()];
}

/** The widest qualifying subgroup among candidates (each a list of groups, the first naming them all). */
function bestOf(candidates: Group[][], pos: number, n: number, rule: SubgroupRule) {
  let best: Omit<SubgroupSuspect, 'feature'> | null = null;
  for (const parts of candidates) {
    let gn = 0;
    let gp = 0;
    for (const g of parts) {
      gn += g.n;
      gp += g.pos;
    }
    if (gn < rule.minRows) continue;
    for (const outcome of [1, 0] as const) {
      const hits = outcome ? gp : gn - gp;
      const total = outcome ? pos : n - pos;
      const purity = hits / gn;
      const share = hits / total;
      // The other outcome must be common overall (≥ 10× the impurity allowed), else every subgroup is "pure".
      const otherOverall = (n - total) / n;
      if (purity < rule.minPurity || share < rule.minShare || otherOverall < 10 * (1 - rule.minPurity))
        continue;
      if (!best || share > best.share) best = { subgroup: parts[0]!.label, outcome, rows: gn, purity, share };
    }
  }
  return best;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(4));
}

export function subgroupWarning(s: SubgroupSuspect): string {
  const what = s.outcome ? 'bought' : 'did not buy';
  return `possible label leak: feature "${s.feature}" nearly copies the label in a subgroup: of the ${s.rows} training rows with ${s.feature} ${s.subgroup}, ${(s.purity * 100).toFixed(1)} % ${what}, and they are ${(s.share * 100).toFixed(0)} % of all rows that ${what}; check it is known before the outcome`;
}
