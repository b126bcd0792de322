import { RandomForestClassifier } from 'ml-random-forest';
import { AbortError } from '../abort-error.ts';
import type { Dataset } from '../dataset.ts';
import { validateDataset } from '../dataset.ts';
import type { EngineName, Explanation, ForestParams, Model, TrainOptions } from '../model.ts';
import { featuresPerSplit } from '../model.ts';
import { createRng } from '../random.ts';

const FORMAT = 'cpd-mljs-forest@1';

/**
 * ml-random-forest behind the Model contract: a small-data cross-check, not a production engine.
 * Its CART split search rescans every row per candidate threshold (Θ(n²) per node: 10 trees on
 * 9,864 rows took 127 s), so the rows it sees are capped by `maxSamples` (a seeded random
 * subset; the library's own maxSamples would take the *first* rows). It samples features once
 * per tree, not per split, and its probability is the share of trees voting positive.
 */
export class MljsForestModel implements Model {
  readonly engine: EngineName = 'mljs';

  private constructor(
    readonly featureNames: string[],
    readonly params: ForestParams,
    private readonly rf: RandomForestClassifier,
  ) {}

  static async train(data: Dataset, params: ForestParams, opts: TrainOptions = {}): Promise<MljsForestModel> {
    validateDataset(data);
    if (opts.signal?.aborted)
      throw new AbortError('training aborted before it started', { cause: opts.signal.reason });
    const rows = sampleRows(data.nRows, params.maxSamples ?? 2000, params.seed);
    const x = rows.map((r) => data.columns.map((c) => nanToZero(c[r]!)));
    const y = rows.map((r) => data.labels[r]!);
    const rf = new RandomForestClassifier({
      nEstimators: params.nTrees,
      maxFeatures: featuresPerSplit(params.maxFeatures, data.featureNames.length),
      seed: params.seed | 0,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: { maxDepth: params.maxDepth, minNumSamples: Math.max(2, params.minSamplesLeaf) },
    });
    // The library trains synchronously in one call: progress is only "started" and "done".
    opts.onProgress?.(0, params.nTrees);
    await Promise.resolve();
    rf.train(x, y);
    opts.onProgress?.(params.nTrees, params.nTrees);
    return new MljsForestModel([...data.featureNames], params, rf);
  }

  predictProba(columns: Float64Array[]): Float64Array {
    const n = columns[0]?.length ?? 0;
    const x = Array.from({ length: n }, (_, r) => columns.map((c) => nanToZero(c[r]!)));
    // Its predictProbability seeds its sum with the first tree's label (reduce without an
    // initial value), so count votes here instead.
    const votes = this.rf.predictionValues(x);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const row = votes.getRow(r);
      let pos = 0;
      for (const v of row) if (v === 1) pos++;
      out[r] = row.length > 0 ? pos / row.length : 0;
    }
    return out;
  }

  featureImportance(): number[] {
    throw new Error('featureImportance is not supported by engine mljs');
  }

  explainTop(_columns: Float64Array[], _k: number): Explanation {
    throw new Error('explainTop is not supported by engine mljs');
  }

  serialize(): string {
    return JSON.stringify({
      format: FORMAT,
      engine: 'mljs',
      featureNames: this.featureNames,
      params: this.params,
      rf: this.rf.toJSON(),
    });
  }

  static load(parsed: unknown): MljsForestModel {
    const s = parsed as {
      format?: unknown;
      featureNames?: unknown;
      params?: ForestParams;
      rf?: unknown;
    } | null;
    if (!s || s.format !== FORMAT || !Array.isArray(s.featureNames) || !s.params || !s.rf) {
      throw new Error(`not a serialized mljs forest (expected format ${FORMAT})`);
    }
    return new MljsForestModel(
      s.featureNames as string[],
      s.params,
      RandomForestClassifier.load(s.rf as never),
    );
  }
}

/** The library has no missing-value handling. */
const nanToZero = (v: number): number => (v === v ? v : 0);

function sampleRows(nRows: number, cap: number, seed: number): number[] {
  const all = Array.from({ length: nRows }, (_, i) => i);
  if (nRows <= cap) return all;
  const rng = createRng(seed, 0x6d6c);
  for (let i = 0; i < cap; i++) {
    const j = i + rng.int(nRows - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, cap).sort((a, b) => a - b);
}
