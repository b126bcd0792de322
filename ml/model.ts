import type { ModelParts } from './model-bytes.ts';

/** The engine-neutral model contract other parts of cpd code against (re-exported by engine.ts). */
export type EngineName = 'hist' | 'mljs' | 'logistic' | 'gbdt' | 'blend';

/** Engine blend (chosen by auto, ml/blend/): the member engines and their weights, same order. */
export interface BlendSpec {
  members: EngineName[];
  weights: number[];
}

export interface ForestParams {
  engine: EngineName;
  nTrees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** 'sqrt' = floor(sqrt(nFeatures)) per split; an integer ≥ 1 = that many; a number in (0, 1) = that share. */
  maxFeatures: 'sqrt' | number;
  maxBins: number;
  /** Row weight by class: 'balanced' (n / (2 · n_class), as scikit-learn), explicit [w0, w1], or null = 1. mljs ignores it. */
  classWeight: 'balanced' | null | readonly [number, number];
  seed: number;
  /** hist only: draw a bootstrap sample per tree (default true); false = every tree sees every row. */
  bootstrap?: boolean;
  /** mljs only: rows per tree cap (its split search is quadratic in rows). */
  maxSamples?: number;
  /** logistic only: inverse L2 strength (scikit-learn's C, default 1). */
  C?: number;
  /** gbdt only: boosting settings; unset ones take defaultBoostParams (ml/boost/boost-params.ts). */
  boost?: Partial<BoostParams>;
  /** blend only: which engines are averaged, with which weights. */
  blend?: BlendSpec;
}

/** Histogram gradient boosting (engine gbdt), named as scikit-learn's HistGradientBoostingClassifier. */
export interface BoostParams {
  /** Shrinkage: each tree's leaf values are multiplied by it. */
  learningRate: number;
  /** Boosting rounds (trees) at most. */
  maxIter: number;
  /** Leaves per tree at most (trees grow best-first, leaf-wise). */
  maxLeafNodes: number;
  /** Depth cap on top of maxLeafNodes; 0 = none. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (scikit-learn's l2_regularization). */
  l2: number;
  /** 'auto' = on when the training rows are more than 10 000 (as scikit-learn). */
  earlyStopping: 'auto' | boolean;
  /** Share of the training rows held out (stratified, by seed) to decide when to stop. */
  validationFraction: number;
  /** Stop after this many rounds without the validation loss improving. */
  nIterNoChange: number;
}

export interface TrainOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Explanation {
  /** Mean root value over trees: the score before any split is taken into account. */
  base: number;
  /** Per row, the k features with the largest |contribution|, largest first (signed values). */
  top: { feature: number; contribution: number }[][];
}

/** Every feature's contribution for every row (row r's feature f at r*nf + f), with the probabilities. */
export interface FullExplanation {
  base: number;
  proba: Float64Array;
  contributions: Float64Array;
}

/** Models that give every contribution in flat arrays (no object per reason): the blend's fast path. */
export interface ExplainsAll {
  explainAll(columns: Float64Array[]): FullExplanation;
}

export interface Model {
  engine: EngineName;
  featureNames: string[];
  predictProba(columns: Float64Array[]): Float64Array;
  featureImportance(): number[];
  explainTop(columns: Float64Array[], k: number): Explanation;
  serialize(): string;
  /** Optional binary form (a small header + typed arrays): how large models are stored. */
  toParts?(): ModelParts;
}

/** Resolves maxFeatures to a count for nFeatures columns (scikit-learn's rounding for 'sqrt'). */
export function featuresPerSplit(maxFeatures: 'sqrt' | number, nFeatures: number): number {
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (!(maxFeatures > 0)) throw new RangeError(`maxFeatures must be 'sqrt' or > 0, got ${maxFeatures}`);
  if (maxFeatures < 1) return Math.max(1, Math.floor(maxFeatures * nFeatures));
  return Math.min(nFeatures, Math.floor(maxFeatures));
}
