import type { EngineName, Explanation, ForestParams, Model } from '../model.ts';
import type { ModelParts } from '../model-bytes.ts';
import type { TopContributions } from './explain-forest.ts';
import { explainRow, explainTopForest, forestBase, topToExplanation } from './explain-forest.ts';
import type { EncodedForest, ForestArrays } from './forest-arrays.ts';
import { decodeForest, encodeForest, forestFromList, forestToList } from './forest-arrays.ts';
import type { PredictLayout } from './predict-forest.ts';
import { predictForest, predictLayout } from './predict-forest.ts';
import type { ScoreOptions, ScoreResult } from './score-forest-async.ts';
import { scoreForestAsync } from './score-forest-async.ts';

const FORMAT = 'cpd-hist-forest@1';

interface SerializedHistForest {
  format: typeof FORMAT;
  engine: 'hist';
  featureNames: string[];
  params: ForestParams;
  importance: number[];
  forest: EncodedForest;
}

/** The histogram forest as a Model: flat arrays on raw thresholds, nothing else needed to score. */
export class HistForestModel implements Model {
  readonly engine: EngineName = 'hist';
  private readonly layout: PredictLayout;

  constructor(
    readonly featureNames: string[],
    readonly params: ForestParams,
    private readonly forest: ForestArrays,
    private readonly importance: Float64Array,
  ) {
    if (featureNames.length !== forest.nFeatures) {
      throw new RangeError(`model has ${forest.nFeatures} features but ${featureNames.length} names`);
    }
    this.layout = predictLayout(forest);
  }

  get nTrees(): number {
    return this.forest.roots.length;
  }

  get nNodes(): number {
    return this.forest.feature.length;
  }

  predictProba(columns: Float64Array[]): Float64Array {
    return predictForest(this.layout, columns);
  }

  /** predictProba on worker threads for large inputs (≥ 100k rows with 2 threads); same numbers. */
  async predictProbaAsync(
    columns: Float64Array[],
    opts: Omit<ScoreOptions, 'k'> = {},
  ): Promise<Float64Array> {
    return (await this.scoreAsync(columns, opts)).proba;
  }

  /** Probabilities and, with opts.k, each row's top-k reasons, on worker threads: the nightly scoring path. */
  scoreAsync(columns: Float64Array[], opts: ScoreOptions = {}): Promise<ScoreResult> {
    return scoreForestAsync(this.layout, this.forest.value, forestBase(this.forest), columns, opts);
  }

  featureImportance(): number[] {
    return Array.from(this.importance);
  }

  /** Base value and every feature's contribution for one row (sum + base = probability). */
  explain(columns: Float64Array[], row: number): { base: number; contributions: Float64Array } {
    return {
      base: forestBase(this.forest),
      contributions: explainRow(this.layout, this.forest.value, columns, row),
    };
  }

  /** explainTop in flat typed arrays: the form to use when scoring millions of rows. */
  explainTopTyped(columns: Float64Array[], k: number): TopContributions {
    return explainTopForest(this.layout, this.forest.value, columns, k, forestBase(this.forest));
  }

  explainTop(columns: Float64Array[], k: number): Explanation {
    return topToExplanation(this.explainTopTyped(columns, k), columns[0]?.length ?? 0);
  }

  serialize(): string {
    const s: SerializedHistForest = {
      format: FORMAT,
      engine: 'hist',
      featureNames: this.featureNames,
      params: this.params,
      importance: Array.from(this.importance),
      forest: encodeForest(this.forest),
    };
    return JSON.stringify(s);
  }

  /** The binary form: a small header and the node arrays as they are (no base64, no big JSON). */
  toParts(): ModelParts {
    return {
      header: {
        format: FORMAT,
        engine: 'hist',
        featureNames: this.featureNames,
        params: this.params,
        importance: Array.from(this.importance),
        nFeatures: this.forest.nFeatures,
      },
      arrays: forestToList(this.forest),
    };
  }

  static fromParts(parts: ModelParts): HistForestModel {
    const h = parts.header as Partial<Omit<SerializedHistForest, 'forest'>> & { nFeatures?: unknown };
    if (
      h.format !== FORMAT ||
      !Array.isArray(h.featureNames) ||
      !Array.isArray(h.importance) ||
      !h.params ||
      typeof h.nFeatures !== 'number'
    ) {
      throw new Error(`not a binary hist forest (expected format ${FORMAT})`);
    }
    return new HistForestModel(
      h.featureNames,
      h.params,
      forestFromList(h.nFeatures, parts.arrays),
      Float64Array.from(h.importance),
    );
  }

  static load(parsed: unknown): HistForestModel {
    const s = parsed as Partial<SerializedHistForest> | null;
    if (
      !s ||
      s.format !== FORMAT ||
      !Array.isArray(s.featureNames) ||
      !s.forest ||
      !Array.isArray(s.importance) ||
      !s.params
    ) {
      throw new Error(`not a serialized hist forest (expected format ${FORMAT})`);
    }
    return new HistForestModel(
      s.featureNames,
      s.params,
      decodeForest(s.forest),
      Float64Array.from(s.importance),
    );
  }
}
