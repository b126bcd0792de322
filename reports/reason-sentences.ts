import type { GlossaryEntry } from '../config/pipeline.ts';

/**
 * Reasons a person can read: "3 orders in the last 90 days (top 10 %)". Each reason is built from
 * the feature's value for the customer and where that value sits among tonight's customers, worded
 * by a small glossary (the transactions features have defaults; a pipeline file may declare its
 * own under `brief.glossary`). The machine form (feature, contribution) stays beside the sentence.
 */
type Entry = Omit<GlossaryEntry, 'lowerIsBetter' | 'structural'> & {
  lowerIsBetter?: boolean;
  structural?: boolean;
};

/** The customer features of transactions pipelines (pipeline/features/customer-feature-sql.ts). */
export const defaultGlossary: Record<string, Entry> = {
  recency_days: {
    decimals: 0,
    label: 'days since the last order',
    phrase: 'last order {value} days ago',
    lowerIsBetter: true,
  },
  frequency: { decimals: 0, label: 'orders in total', phrase: '{value} orders in total' },
  monetary: { label: 'total spend', phrase: 'spent {value} in total' },
  avg_order_value: { label: 'average order value', phrase: 'average order of {value}' },
  max_order_value: { label: 'largest order', phrase: 'largest order of {value}' },
  tenure_days: {
    decimals: 0,
    label: 'days as a customer',
    phrase: 'customer for {value} days',
    structural: true,
  },
  orders_30: {
    decimals: 0,
    label: 'orders in the last 30 days',
    phrase: '{value} orders in the last 30 days',
  },
  spend_30: { label: 'spend in the last 30 days', phrase: 'spent {value} in the last 30 days' },
  orders_90: {
    decimals: 0,
    label: 'orders in the last 90 days',
    phrase: '{value} orders in the last 90 days',
  },
  spend_90: { label: 'spend in the last 90 days', phrase: 'spent {value} in the last 90 days' },
  mean_days_between_orders: {
    decimals: 0,
    label: 'days between orders',
    phrase: 'orders every {value} days on average',
    lowerIsBetter: true,
  },
  distinct_products: {
    decimals: 0,
    label: 'different products bought',
    phrase: '{value} different products bought',
  },
  cancellations: { decimals: 0, label: 'cancelled orders', phrase: '{value} cancelled orders' },
  trend: {
    label: 'order trend (−1 slowing, +1 growing)',
    phrase: 'order trend {value} (−1 slowing, +1 growing)',
  },
  country: { label: 'country', phrase: 'buys from {value}' },
};

/** "1,234.5": en-US grouping, at most `decimals` decimals. Hand-rolled: Intl.NumberFormat costs ~1 µs a call, and the score step words millions of reasons. */
export function formatValue(v: number, decimals = 2): string {
  const fixed = Math.abs(v).toFixed(decimals);
  const dot = fixed.indexOf('.');
  const int = dot < 0 ? fixed : fixed.slice(0, dot);
  // Trailing zeros of the decimals go, and the point with them when none is left.
  let end = fixed.length;
  if (dot >= 0) {
    while (end > dot + 1 && fixed.charCodeAt(end - 1) === 48) end--;
    if (end === dot + 1) end = dot;
  }
  const frac = dot >= 0 ? fixed.slice(dot, end) : '';
  let grouped = int;
  if (int.length > 3) {
    grouped = int.slice(0, ((int.length - 1) % 3) + 1);
    for (let i = grouped.length; i < int.length; i += 3) grouped += `,${int.slice(i, i + 3)}`;
  }
  // "-0" reads wrong: a negative value that rounds to zero is shown as 0.
  const sign = v < 0 && (int !== '0' || frac !== '') ? '-' : '';
  return `${sign}${grouped}${frac}`;
}

/** "top 7 %": the share of customers with a value at least as good; at most 50 %, else "bottom". */
export function rankText(topShare: number): string {
  if (topShare <= 0.5) return `top ${Math.max(1, Math.ceil(topShare * 100))} %`;
  return `bottom ${Math.max(1, Math.round((1 - topShare) * 100))} %`;
}

/** One reason as a sentence; `topShare` undefined for categories (no rank). */
export function reasonSentence(
  feature: string,
  value: string | number | null,
  topShare: number | undefined,
  glossary: Record<string, Entry> = {},
): string {
  const entry = glossary[feature] ?? defaultGlossary[feature];
  const label = entry?.label ?? humanise(feature);
  if (value === null || (typeof value === 'number' && !Number.isFinite(value)))
    return capitalise(`${label}: not known`);
  // Days and counts read as whole numbers ("last order 1 day ago", not "1.46 days ago").
  const figure = typeof value === 'number' ? formatValue(value, entry?.decimals ?? 2) : value;
  const shown = typeof value === 'number' ? withUnit(figure, entry?.unit) : value;
  const phrase = entry?.phrase ?? (entry ? '{value} {label}' : '{label} is {value}');
  let text = phrase
    .replace('{label}', label)
    .replace('{unit}', entry?.unit ?? '')
    .replace('{value}', shown);
  // "1 orders" reads wrong: after a value of 1 the noun loses its plural s, also behind one word
  // that is no plural ("1 different product bought", "1 cancelled order").
  if (figure === '1') text = text.replace(/\b1 ((?:[a-z]+ )?)([a-z]+?)s\b/, '1 $1$2');
  text = text.replace(/\s+/g, ' ').trim();
  return capitalise(topShare === undefined ? text : `${text} (${rankText(topShare)})`);
}

const SLOT = '\u0001';

/**
 * reasonSentence of one numeric feature as a template, built once: the sentence is the same text
 * around the formatted value, so a million customers cost a concatenation each instead of a
 * sentence built with regular expressions. Returns the sentence as JSON, or undefined where the
 * template does not apply (the value 1, whose noun is made singular) and reasonSentence must.
 * `figure` is formatValue's output (digits, sign, separators: no whitespace to normalise). With
 * `escape`, the JSON comes escaped by it (the spool's TSV escapes).
 */
export function sentenceTemplate(
  feature: string,
  glossary: Record<string, Entry> = {},
  escape: (s: string) => string = (s) => s,
): (figure: string, topShare: number | undefined) => string | undefined {
  const entry = glossary[feature] ?? defaultGlossary[feature];
  const label = entry?.label ?? humanise(feature);
  const phrase = entry?.phrase ?? (entry ? '{value} {label}' : '{label} is {value}');
  const text = phrase
    .replace('{label}', label)
    .replace('{unit}', entry?.unit ?? '')
    .replace('{value}', withUnit(SLOT, entry?.unit))
    .replace(/\s+/g, ' ')
    .trim();
  const parts = text.split(SLOT);
  if (parts.length !== 2) return () => undefined;
  const json = (t: string): string => JSON.stringify(t).slice(1, -1);
  // A sentence that starts with the value starts with a digit or '-': capitalising changes nothing.
  // `escape` is applied to the words once here: a figure and a rank need none.
  const pre = escape(json(capitalise(parts[0]!)));
  const post = escape(json(parts[1]!));
  return (figure, topShare) =>
    figure === '1'
      ? undefined
      : `"${pre}${figure}${post}${topShare === undefined ? '' : ` (${rankText(topShare)})`}"`;
}

function withUnit(value: string, unit: string | undefined): string {
  if (!unit) return value;
  return /^[£$€¥]$/.test(unit) ? `${unit}${value}` : `${value} ${unit}`;
}

function humanise(feature: string): string {
  return feature
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .trim();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Features whose drift is by design (tenure grows every night between training and scoring). */
export function isStructural(feature: string, glossary: Record<string, Entry> = {}): boolean {
  return (glossary[feature] ?? defaultGlossary[feature])?.structural === true;
}

/** A ReasonWriter's features and reference distribution: plain data, so it can be posted to a thread. */
export interface ReasonWriterState {
  features: ReasonFeatures;
  sorted: (Float64Array | undefined)[];
}

const SENTENCE_CACHE = 50_000;
/** `,"topShare":0.123` by the share in thousandths: 1,001 strings instead of a number written per reason. */
const TOP_SHARE: string[] = [];
const TAIL_CACHE = 10_000;
/** After this many lookups, a feature's tail cache is dropped if fewer than a quarter of them hit. */
const TAIL_TRIAL = 4_096;

/** Value -> tail, kept while values repeat (counts, days, categories), given up for continuous ones. */
interface TailCache {
  map: Map<number, string> | null;
  lookups: number;
  hits: number;
}

export interface ReasonFeatures {
  names: string[];
  categorical: boolean[];
  /** Category values by feature name, as the features step coded them (code = index). */
  categories: Record<string, string[]>;
  glossary: Record<string, GlossaryEntry>;
}

/**
 * Writes the reasons JSON of scored rows: machine form + value + rank + sentence. The rank is
 * against the first chunk of scoring rows (the whole population up to `scoring.chunkRows`, a large
 * sample beyond), sorted once per feature, so a row costs a binary search.
 */
export class ReasonWriter {
  private sorted: (Float64Array | undefined)[] = [];
  /** Per feature: everything of its JSON before the contribution, escaped. */
  private readonly heads: string[];
  /** Per feature: "shown value + rank" -> the sentence as JSON; values repeat, sentences are costly. */
  private readonly sentences: Map<string, string>[];

  /**
   * `escape` is applied to every piece of text the JSON is built from, once per piece (the
   * contribution, a number, needs none): the score step's spool gets its TSV escapes without a
   * pass over each finished line.
   */
  constructor(
    private readonly f: ReasonFeatures,
    private readonly escape: (s: string) => string = (s) => s,
  ) {
    this.heads = f.names.map((n) => escape(`{"feature":${JSON.stringify(n)},"contribution":`));
    this.sentences = f.names.map(() => new Map());
  }

  /** What a writer on another thread needs to word reasons exactly as this one: its features and reference. */
  state(): ReasonWriterState {
    return { features: this.f, sorted: this.sorted };
  }

  /** A writer from another's state(), with its own escape (and its own caches). */
  static from(state: ReasonWriterState, escape?: (s: string) => string): ReasonWriter {
    const w = new ReasonWriter(state.features, escape);
    w.sorted = state.sorted;
    return w;
  }

  private readonly templates: ReturnType<typeof sentenceTemplate>[] = [];
  /** Per feature, looked up once: the words of a million reasons come from the same few entries. */
  private readonly lowerIsBetter: boolean[] = [];
  private readonly decimals: number[] = [];

  private templateOf(feature: number): ReturnType<typeof sentenceTemplate> {
    return (this.templates[feature] ??= sentenceTemplate(
      this.f.names[feature]!,
      this.f.glossary,
      this.escape,
    ));
  }

  /** The reference distribution: called with the first chunk's columns (later calls are ignored). */
  observe(columns: Float64Array[]): void {
    if (this.sorted.length) return;
    this.tails.length = 0;
    this.sorted = columns.map((c, i) =>
      this.f.categorical[i] ? undefined : Float64Array.from(c.filter(Number.isFinite)).sort(),
    );
  }

  /** Share of reference customers whose value is at least as good as `value`. */
  topShare(feature: number, value: number): number | undefined {
    const ref = this.sorted[feature];
    if (!ref || ref.length === 0 || !Number.isFinite(value)) return undefined;
    const lower = (this.lowerIsBetter[feature] ??=
      this.f.glossary[this.f.names[feature]!]?.lowerIsBetter ??
      defaultGlossary[this.f.names[feature]!]?.lowerIsBetter ??
      false);
    // Higher is better: customers with a value >= v; lower is better: customers with a value <= v.
    const atLeast = lower ? upperBound(ref, value) : ref.length - lowerBound(ref, value);
    return atLeast / ref.length;
  }

  /**
   * Per feature: value -> everything of its JSON after the contribution (the same for every
   * customer with that value). A feature whose values hardly repeat (money, ratios) stops caching
   * after a trial: filling a map no lookup ever hits cost 13 % of the wording of 1 M customers.
   */
  private readonly tails: TailCache[] = [];

  json(feature: number, contribution: number, value: number): string {
    const cache = (this.tails[feature] ??= { map: new Map(), lookups: 0, hits: 0 });
    let tail: string | undefined;
    if (cache.map) {
      tail = cache.map.get(value);
      if (tail !== undefined) cache.hits++;
      if (++cache.lookups === TAIL_TRIAL && cache.hits * 4 < TAIL_TRIAL) cache.map = null;
    }
    if (tail === undefined) {
      tail = this.tail(feature, value);
      // Bounded (~1.5 MB a feature): a continuous feature's millions of distinct values are not kept.
      if (cache.map && cache.map.size < TAIL_CACHE) cache.map.set(value, tail);
    }
    // Contributions keep full precision: base + contributions = score is the machine form's contract.
    return `${this.heads[feature]}${contribution}${tail}`;
  }

  /** The JSON after the contribution, escaped: the words piece by piece, numbers need no escape. */
  private tail(feature: number, value: number): string {
    const name = this.f.names[feature]!;
    const isCategory = this.f.categorical[feature] === true;
    const shown: string | number | null = !Number.isFinite(value)
      ? null
      : isCategory
        ? (this.f.categories[name]?.[value] ?? String(value))
        : value;
    const top = isCategory ? undefined : this.topShare(feature, value);
    const decimals = (this.decimals[feature] ??=
      (this.f.glossary[name] ?? defaultGlossary[name])?.decimals ?? 2);
    const figure = typeof shown === 'number' ? formatValue(shown, decimals) : shown;
    let sentence = typeof shown === 'number' ? this.templateOf(feature)(figure!, top) : undefined;
    if (sentence === undefined) {
      const key = `${figure}\u0000${top === undefined ? '' : rankText(top)}`;
      const cache = this.sentences[feature]!;
      sentence = cache.get(key);
      if (sentence === undefined) {
        sentence = this.escape(JSON.stringify(reasonSentence(name, shown, top, this.f.glossary)));
        // Bounded: a continuous feature with millions of distinct values must not grow memory.
        if (cache.size < SENTENCE_CACHE) cache.set(key, sentence);
      }
    }
    const shownJson = typeof shown === 'number' ? String(shown) : this.escape(JSON.stringify(shown));
    return `,"value":${shownJson}${
      top === undefined
        ? ''
        : (TOP_SHARE[Math.round(top * 1e3)] ??= `,"topShare":${Math.round(top * 1e3) / 1e3}`)
    },"sentence":${sentence}}`;
  }
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
