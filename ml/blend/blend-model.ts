import { setImmediate } from 'node:timers/promises';
import type { BlendSpec, EngineName, ExplainsAll, Explanation, Model } from '../model.ts';
import type { ModelParts } from '../model-bytes.ts';

const FORMAT = 'cpd-blend@1';

export type { BlendSpec };

interface SerializedBlend {
  format: typeof FORMAT;
  engine: 'blend';
  weights: number[];
  members: unknown[];
}

interface AsyncPredictor {
  predictProbaAsync(
    columns: Float64Array[],
    opts: { threads?: number; signal?: AbortSignal },
  ): Promise<Float64Array>;
}

/** Row r's i-th reason at r*k + i (−1 = none), as the forests' threaded scorer returns them. */
interface TopArrays {
  base: number;
  k: number;
  features: Int32Array;
  contributions: Float64Array;
}

interface AsyncScorer {
  scoreAsync(
    columns: Float64Array[],
    opts: { k?: number; signal?: AbortSignal },
  ): Promise<{ proba: Float64Array; top: TopArrays | null }>;
}

/** "blend (gbdt 0.5 + hist 0.5)": how a blend is shown in `cpd models` and the model card. */
export function blendLabel(spec: BlendSpec): string {
  return `blend (${spec.members.map((m, i) => `${m} ${round3(spec.weights[i]!)}`).join(' + ')})`;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Model averaging: the weighted mean of its members' probabilities (members are usually
 * calibrated models, and the blend itself is calibrated again by whoever fits it). Reasons are
 * the weighted sum of the members' reasons, so base + Σ contributions = the blend's score, as
 * each member guarantees for its own.
 */
export class BlendModel implements Model {
  readonly engine: EngineName = 'blend';

  constructor(
    readonly members: Model[],
    readonly weights: number[],
  ) {
    if (members.length < 1) throw new RangeError('a blend needs at least one member');
    if (weights.length !== members.length)
      throw new RangeError(`a blend of ${members.length} members has ${weights.length} weights`);
    if (!weights.every((w) => Number.isFinite(w) && w > 0))
      throw new RangeError(`blend weights must be > 0, got ${weights.join(', ')}`);
    const sum = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`blend weights must sum to 1, got ${sum}`);
    const names = members[0]!.featureNames;
    for (const m of members)
      if (m.featureNames.length !== names.length || m.featureNames.some((n, i) => n !== names[i]))
        throw new RangeError('blend members must share the same feature names in the same order');
  }

  get featureNames(): string[] {
    return this.members[0]!.featureNames;
  }

  get spec(): BlendSpec {
    return { members: this.members.map((m) => m.engine), weights: [...this.weights] };
  }

  /** The blend's probabilities from its members' (in member order): what predictProba returns. */
  mix(probas: Float64Array[]): Float64Array {
    const out = new Float64Array(probas[0]!.length);
    probas.forEach((p, m) => {
      const w = this.weights[m]!;
      for (let i = 0; i < out.length; i++) out[i]! += w * p[i]!;
    });
    return out;
  }

  predictProba(columns: Float64Array[]): Float64Array {
    return this.mix(this.members.map((m) => m.predictProba(columns)));
  }

  /** Each member's off-thread scorer when it has one (forests, boosting), one member at a time. */
  async predictProbaAsync(
    columns: Float64Array[],
    opts: { threads?: number; signal?: AbortSignal } = {},
  ): Promise<Float64Array> {
    const probas: Float64Array[] = [];
    for (const m of this.members) {
      const a = m as Partial<AsyncPredictor & AsyncScorer>;
      if (typeof a.predictProbaAsync === 'function') probas.push(await a.predictProbaAsync(columns, opts));
      else if (typeof a.scoreAsync === 'function')
        probas.push((await a.scoreAsync(columns, { k: 0, signal: opts.signal })).proba);
      else probas.push(m.predictProba(columns));
    }
    return this.mix(probas);
  }

  /**
   * Probabilities and, with opts.k, each row's top-k reasons (the nightly scoring path): each
   * member's threaded scorer when it has one, asked for every feature's contribution so the
   * weighted sum is exact; members without one (logistic) are scored here. The work done here
   * (those members, the weighted sums, the top k) goes in slices of SLICE_ROWS rows with the event
   * loop back in between: at a million customers it held a worker's loop for 18 s in one go.
   */
  async scoreAsync(
    columns: Float64Array[],
    opts: { k?: number; signal?: AbortSignal } = {},
  ): Promise<{ proba: Float64Array; top: TopArrays | null }> {
    const nf = this.featureNames.length;
    const nRows = columns[0]?.length ?? 0;
    const k = Math.min(opts.k ?? 0, nf);
    const sum = k > 0 ? new Float64Array(nRows * nf) : null;
    let base = 0;
    const probas: Float64Array[] = [];
    for (const [j, m] of this.members.entries()) {
      const w = this.weights[j]!;
      const a = m as Partial<AsyncScorer>;
      if (typeof a.scoreAsync === 'function') {
        const { proba, top } = await a.scoreAsync(columns, { k: sum ? nf : 0, signal: opts.signal });
        probas.push(proba);
        if (!sum || !top) continue;
        base += w * top.base;
        await inSlices(nRows, opts.signal, (r0, r1) => {
          for (let i = r0 * top.k; i < r1 * top.k; i++) {
            const f = top.features[i]!;
            if (f >= 0) sum[Math.floor(i / top.k) * nf + f]! += w * top.contributions[i]!;
          }
        });
        continue;
      }
      const proba = new Float64Array(nRows);
      probas.push(proba);
      const all = (m as Partial<ExplainsAll>).explainAll;
      await inSlices(nRows, opts.signal, (r0, r1) => {
        const part = columns.map((c) => c.subarray(r0, r1));
        if (sum && all) {
          const ex = all.call(m, part);
          proba.set(ex.proba, r0);
          if (r0 === 0) base += w * ex.base;
          const c = ex.contributions;
          for (let i = 0; i < c.length; i++) sum[r0 * nf + i]! += w * c[i]!;
          return;
        }
        proba.set(m.predictProba(part), r0);
        if (!sum) return;
        const ex = m.explainTop(part, nf);
        if (r0 === 0) base += w * ex.base;
        ex.top.forEach((row, r) => {
          for (const t of row) sum[(r0 + r) * nf + t.feature]! += w * t.contribution;
        });
      });
    }
    const proba = this.mix(probas);
    if (!sum) return { proba, top: null };
    const features = new Int32Array(nRows * k).fill(-1);
    const contributions = new Float64Array(nRows * k);
    await inSlices(nRows, opts.signal, (r0, r1) => {
      for (let r = r0; r < r1; r++) topK(sum, r * nf, nf, k, features, contributions, r * k);
    });
    return { proba, top: { base, k, features, contributions } };
  }

  /** Weighted mean of the members' importances, each first scaled to sum 1 (their units differ). */
  featureImportance(): number[] {
    const out = new Array<number>(this.featureNames.length).fill(0);
    this.members.forEach((m, j) => {
      const imp = m.featureImportance();
      const total = imp.reduce((a, b) => a + Math.abs(b), 0);
      if (total > 0) imp.forEach((v, f) => (out[f]! += (this.weights[j]! * Math.abs(v)) / total));
    });
    return out;
  }

  explainTop(columns: Float64Array[], k: number): Explanation {
    const nf = this.featureNames.length;
    const nRows = columns[0]?.length ?? 0;
    const sum = new Float64Array(nRows * nf);
    let base = 0;
    this.members.forEach((m, j) => {
      const w = this.weights[j]!;
      // Every feature's contribution (k = all), so the weighted sum is exact before the top k.
      const ex = m.explainTop(columns, nf);
      base += w * ex.base;
      ex.top.forEach((row, r) => {
        for (const t of row) sum[r * nf + t.feature]! += w * t.contribution;
      });
    });
    const top: Explanation['top'] = [];
    for (let r = 0; r < nRows; r++) {
      const row: { feature: number; contribution: number }[] = [];
      for (let f = 0; f < nf; f++) {
        const c = sum[r * nf + f]!;
        if (c !== 0) row.push({ feature: f, contribution: c });
      }
      row.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature - b.feature);
      top.push(row.slice(0, k));
    }
    return { base, top };
  }

  serialize(): string {
    // The members' JSON is spliced in as it is (a big forest is not parsed and re-written).
    return `{"format":"${FORMAT}","engine":"blend","weights":${JSON.stringify(this.weights)},"members":[${this.members
      .map((m) => m.serialize())
      .join(',')}]}`;
  }

  /** Binary form: a header with the weights, then each member's own stored bytes as one array. */
  partsWith(encode: (m: Model) => Buffer[]): ModelParts {
    return {
      header: { format: FORMAT, engine: 'blend', weights: this.weights },
      arrays: this.members.map((m) => new Uint8Array(Buffer.concat(encode(m)))),
    };
  }

  static isSerialized(parsed: unknown): parsed is SerializedBlend {
    return (parsed as { format?: unknown } | null)?.format === FORMAT;
  }

  static load(parsed: SerializedBlend, loadMember: (json: unknown) => Model): BlendModel {
    if (!Array.isArray(parsed.members) || !Array.isArray(parsed.weights))
      throw new Error(`not a blend (expected format ${FORMAT} with members and weights)`);
    return new BlendModel(parsed.members.map(loadMember), parsed.weights);
  }

  static fromParts(parts: ModelParts, decodeMember: (bytes: Buffer) => Model): BlendModel {
    const h = parts.header as Partial<SerializedBlend>;
    if (h.format !== FORMAT || !Array.isArray(h.weights))
      throw new Error(`not a binary blend (expected format ${FORMAT})`);
    return new BlendModel(
      parts.arrays.map((a) => decodeMember(Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
      h.weights,
    );
  }
}

/** Rows handled between two turns of the event loop. */
const SLICE_ROWS = 16_384;

async function inSlices(
  nRows: number,
  signal: AbortSignal | undefined,
  each: (r0: number, r1: number) => void,
): Promise<void> {
  for (let r0 = 0; r0 < nRows; r0 += SLICE_ROWS) {
    signal?.throwIfAborted();
    each(r0, Math.min(nRows, r0 + SLICE_ROWS));
    if (r0 + SLICE_ROWS < nRows) await setImmediate();
  }
}

/**
 * The k largest |values| of values[at .. at+n) into features/contributions from `out` (zeros
 * skipped, −1 where fewer than k remain), largest first, ties to the lower feature: the order a
 * sort by (|c| desc, feature asc) gives, without sorting every row.
 */
function topK(
  values: Float64Array,
  at: number,
  n: number,
  k: number,
  features: Int32Array,
  contributions: Float64Array,
  out: number,
): void {
  let held = 0;
  for (let f = 0; f < n; f++) {
    const c = values[at + f]!;
    if (c === 0) continue;
    const m = Math.abs(c);
    // Features arrive in ascending order, so an equal |c| already held stays ahead.
    let i = held < k ? held : k;
    while (i > 0 && Math.abs(contributions[out + i - 1]!) < m) i--;
    if (i >= k) continue;
    for (let j = Math.min(held, k - 1); j > i; j--) {
      features[out + j] = features[out + j - 1]!;
      contributions[out + j] = contributions[out + j - 1]!;
    }
    features[out + i] = f;
    contributions[out + i] = c;
    if (held < k) held++;
  }
}
