import type { TopContributions } from '../forest/explain-forest.ts';
import { explainRow, explainTopForest, forestBase, topToExplanation } from '../forest/explain-forest.ts';
import type { EncodedForest, ForestArrays } from '../forest/forest-arrays.ts';
import { decodeForest, encodeForest } from '../forest/forest-arrays.ts';
import type { PredictLayout } from '../forest/predict-forest.ts';
import { predictForest, predictLayout } from '../forest/predict-forest.ts';
import type { ScoreOptions, ScoreResult } from '../forest/score-forest-async.ts';
import { scoreForestAsync } from '../forest/score-forest-async.ts';
import type { EngineName, Explanation, ForestParams, Model } from '../model.ts';

const FORMAT = 'cpd-gbdt@1';

/** How the fit went: recorded with the model so a reader sees whether early stopping cut it. */
export interface BoostFitInfo {
  /** Rounds run (≤ maxIter). */
  rounds: number;
  /** Trees kept: the rounds up to the lowest validation loss (all rounds without early stopping). */
  trees: number;
  earlyStopping: boolean;
  validationRows: number;
  /** Weighted mean log-loss on the validation slice after the kept trees (null without one). */
  validationLoss: number | null;
}

interface SerializedGbdt {
  format: typeof FORMAT;
  engine: 'gbdt';
  featureNames: string[];
  params: ForestParams;
  baseline: number;
  importance: number[];
  info: BoostFitInfo;
  forest: EncodedForest;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Gradient-boosted trees as a Model. The trees are the forest's flat arrays (leaf values are
 * logit steps), so the forest's scorer and its threads are reused: it returns the mean leaf
 * value over trees, and logit = baseline + nTrees × mean. Reasons are Saabas path contributions
 * in logit, rescaled per row to probability so base + Σ contributions = predicted probability.
 */
export class GbdtModel implements Model {
  readonly engine: EngineName = 'gbdt';
  private readonly layout: PredictLayout;

  constructor(
    readonly featureNames: string[],
    readonly params: ForestParams,
    readonly baseline: number,
    private readonly forest: ForestArrays,
    private readonly importance: Float64Array,
    readonly info: BoostFitInfo,
  ) {
    if (featureNames.length !== forest.nFeatures)
      throw new RangeError(`model has ${forest.nFeatures} features but ${featureNames.length} names`);
    if (forest.roots.length === 0) throw new RangeError('a boosted model needs at least one tree');
    this.layout = predictLayout(forest);
  }

  get nTrees(): number {
    return this.forest.roots.length;
  }

  /** The logit before any split: baseline plus every tree's root value. */
  private get baseLogit(): number {
    return this.baseline + this.nTrees * forestBase(this.forest);
  }

  /** Logits from the forest scorer's mean leaf value per row. */
  private logits(mean: Float64Array): Float64Array {
    const nT = this.nTrees;
    const z = new Float64Array(mean.length);
    for (let r = 0; r < mean.length; r++) z[r] = this.baseline + nT * mean[r]!;
    return z;
  }

  /** Probability-scale factor of a row's logit contributions (finite where logit and base meet). */
  private scale(z: number): number {
    const zb = this.baseLogit;
    const dz = z - zb;
    const p = sigmoid(z);
    return Math.abs(dz) > 1e-9 ? (p - sigmoid(zb)) / dz : p * (1 - p);
  }

  predictProba(columns: Float64Array[]): Float64Array {
    return this.logits(predictForest(this.layout, columns)).map(sigmoid);
  }

  /** predictProba on worker threads for large inputs (the forest's scorer); same numbers. */
  async predictProbaAsync(
    columns: Float64Array[],
    opts: Omit<ScoreOptions, 'k'> = {},
  ): Promise<Float64Array> {
    return (await this.scoreAsync(columns, opts)).proba;
  }

  /** Probabilities and, with opts.k, each row's top-k reasons, on worker threads: the nightly scoring path. */
  async scoreAsync(columns: Float64Array[], opts: ScoreOptions = {}): Promise<ScoreResult> {
    const r = await scoreForestAsync(this.layout, this.forest.value, forestBase(this.forest), columns, opts);
    const z = this.logits(r.proba);
    return { proba: z.map(sigmoid), top: r.top ? this.rescaleTop(r.top, z) : null };
  }

  /** The forest's top-k (mean logit contributions) as probability contributions. */
  private rescaleTop(t: TopContributions, z: Float64Array): TopContributions {
    const nT = this.nTrees;
    const contributions = new Float64Array(t.contributions.length);
    for (let r = 0; r < z.length; r++) {
      const s = nT * this.scale(z[r]!);
      for (let i = 0; i < t.k; i++) contributions[r * t.k + i] = t.contributions[r * t.k + i]! * s;
    }
    return { base: sigmoid(this.baseLogit), k: t.k, features: t.features, contributions };
  }

  /** Total split gain per feature, as a share (scikit-learn-style impurity importance for boosting). */
  featureImportance(): number[] {
    return Array.from(this.importance);
  }

  /** Base probability and every feature's contribution for one row (sum + base = probability). */
  explain(columns: Float64Array[], row: number): { base: number; contributions: Float64Array } {
    const z = this.logits(
      predictForest(
        this.layout,
        columns.map((c) => c.subarray(row, row + 1)),
      ),
    )[0]!;
    const s = this.nTrees * this.scale(z);
    const contributions = explainRow(this.layout, this.forest.value, columns, row).map((c) => c * s);
    return { base: sigmoid(this.baseLogit), contributions };
  }

  explainTopTyped(columns: Float64Array[], k: number): TopContributions {
    const t = explainTopForest(this.layout, this.forest.value, columns, k, forestBase(this.forest));
    return this.rescaleTop(t, this.logits(predictForest(this.layout, columns)));
  }

  explainTop(columns: Float64Array[], k: number): Explanation {
    return topToExplanation(this.explainTopTyped(columns, k), columns[0]?.length ?? 0);
  }

  serialize(): string {
    const s: SerializedGbdt = {
      format: FORMAT,
      engine: 'gbdt',
      featureNames: this.featureNames,
      params: this.params,
      baseline: this.baseline,
      importance: Array.from(this.importance),
      info: this.info,
      forest: encodeForest(this.forest),
    };
    return JSON.stringify(s);
  }

  static load(parsed: unknown): GbdtModel {
    const s = parsed as Partial<SerializedGbdt> | null;
    if (
      !s ||
      s.format !== FORMAT ||
      !Array.isArray(s.featureNames) ||
      !s.forest ||
      !Array.isArray(s.importance) ||
      typeof s.baseline !== 'number' ||
      !s.params ||
      !s.info
    )
      throw new Error(`not a serialized gbdt model (expected format ${FORMAT})`);
    return new GbdtModel(
      s.featureNames,
      s.params,
      s.baseline,
      decodeForest(s.forest),
      Float64Array.from(s.importance),
      s.info,
    );
  }
}
