import type { Exploratory } from '../render/report-data.ts';

export interface FeatureFrame {
  names: string[];
  categorical: boolean[];
  /** Category values by feature name; a categorical feature's code k means categories[name][k]. */
  categories: Record<string, string[]>;
  labels: Uint8Array;
  /** One column per feature, NaN = missing. */
  columns: Float64Array[];
  /** Feature names, most important first (from the model); empty when unknown. */
  importance: string[];
}

const SEGMENTS_SHOWN = 3;
const CATEGORIES_FIRST = 2;
const DISTRIBUTIONS_SHOWN = 3;
/** A numeric feature with at most this many distinct values reads as groups (e.g. region, weekend). */
const FEW_VALUES = 12;
const VALUES_PER_SEGMENT = 12;
const BINS = 15;

type Segment = NonNullable<Exploratory['segments']>[number];
type Distribution = NonNullable<Exploratory['featureDistributions']>[number];

/**
 * The exploratory section chosen from the data, whatever the dataset: the segments are the
 * groupings (categories, few-valued numbers, quartile bands of the most important numbers) whose
 * purchase rates differ most; the distributions are those of the most important numeric features.
 */
export function exploratoryFromRows(frame: FeatureFrame): Exploratory | undefined {
  if (frame.labels.length === 0) return undefined;
  const order = rankByImportance(frame);
  const candidates: { segment: Segment; spread: number; categorical: boolean }[] = [];
  for (const i of order) {
    const grouped = groupsOf(frame, i, order.indexOf(i) < DISTRIBUTIONS_SHOWN);
    if (!grouped) continue;
    const segment = rates(frame.names[i]!, grouped, frame.labels);
    if (segment.rows.length >= 2)
      candidates.push({ segment, spread: spread(segment), categorical: frame.categorical[i] === true });
  }
  candidates.sort((a, b) => b.spread - a.spread);
  // Categories (country, visitor type, month) are what people segment by: the two that explain
  // most come first; the rest of the slots go to whatever grouping explains most (e.g. a recency band).
  const first = candidates.filter((c) => c.categorical).slice(0, CATEGORIES_FIRST);
  const rest = candidates.filter((c) => !first.includes(c)).slice(0, SEGMENTS_SHOWN - first.length);
  const segments = [...first, ...rest].map((c) => c.segment);
  const featureDistributions = order
    .filter((i) => !frame.categorical[i] && distinctCount(frame.columns[i]!, FEW_VALUES + 1) > FEW_VALUES)
    .slice(0, DISTRIBUTIONS_SHOWN)
    .map((i) => distribution(frame.names[i]!, frame.columns[i]!, frame.labels))
    .filter((d): d is Distribution => d !== undefined);
  const out: Exploratory = {};
  if (segments.length) out.segments = segments;
  if (featureDistributions.length) out.featureDistributions = featureDistributions;
  return Object.keys(out).length ? out : undefined;
}

function rankByImportance(frame: FeatureFrame): number[] {
  const rank = (name: string) => {
    const r = frame.importance.indexOf(name);
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  };
  return frame.names.map((_, i) => i).sort((a, b) => rank(frame.names[a]!) - rank(frame.names[b]!) || a - b);
}

/** Group label per row, in display order; undefined when the feature does not group well. */
function groupsOf(
  frame: FeatureFrame,
  i: number,
  important: boolean,
): { keys: string[]; order: string[] } | undefined {
  const column = frame.columns[i]!;
  const name = frame.names[i]!;
  if (frame.categorical[i]) {
    const values = frame.categories[name] ?? [];
    return byValue(column, (v) => values[v] ?? String(v), false);
  }
  if (distinctCount(column, FEW_VALUES + 1) <= FEW_VALUES)
    return byValue(column, (v) => formatValue(v), true);
  // Continuous: quartile bands, only for the features the model leans on (e.g. recency).
  return important ? quartileBands(column) : undefined;
}

function byValue(column: Float64Array, label: (v: number) => string, numericOrder: boolean) {
  const counts = new Map<number, number>();
  for (const v of column) if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  // The largest groups are shown; the long tail is folded into "other" so the chart stays readable.
  const kept = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, VALUES_PER_SEGMENT - 1)
    .map(([v]) => v);
  if (numericOrder) kept.sort((a, b) => a - b);
  const keep = new Set(kept);
  const keys = Array.from(column, (v) => (Number.isNaN(v) ? '(missing)' : keep.has(v) ? label(v) : 'other'));
  return { keys, order: [...kept.map(label), 'other', '(missing)'] };
}

function quartileBands(column: Float64Array) {
  const sorted = Float64Array.from(column.filter((v) => !Number.isNaN(v))).sort();
  if (sorted.length < 8) return undefined;
  const cuts = [0.25, 0.5, 0.75].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!);
  const edges = [...new Set([sorted[0]!, ...cuts, sorted[sorted.length - 1]!])];
  if (edges.length < 3) return undefined;
  const labels = edges.slice(0, -1).map((lo, k) => `${formatValue(lo)} to ${formatValue(edges[k + 1]!)}`);
  const keys = Array.from(column, (v) => {
    if (Number.isNaN(v)) return '(missing)';
    const k = edges.slice(1, -1).findIndex((edge) => v <= edge);
    return labels[k < 0 ? labels.length - 1 : k]!;
  });
  return { keys, order: [...labels, '(missing)'] };
}

function rates(name: string, grouped: { keys: string[]; order: string[] }, labels: Uint8Array): Segment {
  const n = new Map<string, number>();
  const bought = new Map<string, number>();
  grouped.keys.forEach((k, r) => {
    n.set(k, (n.get(k) ?? 0) + 1);
    bought.set(k, (bought.get(k) ?? 0) + (labels[r] ?? 0));
  });
  const rows = grouped.order
    .filter((k) => n.has(k))
    .map((value) => ({ value, n: n.get(value)!, rate: bought.get(value)! / n.get(value)! }));
  return { name, rows };
}

/** Between-group variance of the purchase rate, weighted by group size: how much the grouping explains. */
function spread(segment: Segment): number {
  const total = segment.rows.reduce((s, r) => s + r.n, 0);
  const mean = segment.rows.reduce((s, r) => s + r.n * r.rate, 0) / total;
  return segment.rows.reduce((s, r) => s + r.n * (r.rate - mean) ** 2, 0) / total;
}

function distribution(feature: string, column: Float64Array, labels: Uint8Array): Distribution | undefined {
  const sorted = Float64Array.from(column.filter((v) => !Number.isNaN(v))).sort();
  if (sorted.length === 0) return undefined;
  // The 1st to 99th percentile: one extreme customer must not squash every other bar into one.
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))]!;
  const hi = sorted[Math.floor(0.99 * (sorted.length - 1))]!;
  if (!(hi > lo)) return undefined;
  const width = (hi - lo) / BINS;
  const bins = Array.from({ length: BINS }, (_, k) => ({
    start: lo + k * width,
    end: lo + (k + 1) * width,
    label0: 0,
    label1: 0,
  }));
  column.forEach((v, r) => {
    if (Number.isNaN(v)) return;
    const bin = bins[Math.min(BINS - 1, Math.max(0, Math.floor((v - lo) / width)))]!;
    if (labels[r] === 1) bin.label1 += 1;
    else bin.label0 += 1;
  });
  return { feature, bins };
}

function distinctCount(column: Float64Array, stopAt: number): number {
  const seen = new Set<number>();
  for (const v of column) {
    if (!Number.isNaN(v)) seen.add(v);
    if (seen.size >= stopAt) break;
  }
  return seen.size;
}

function formatValue(v: number): string {
  return Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Number(v.toPrecision(3)).toString();
}
