import type { Dataset } from './dataset.ts';
import { HistForestModel } from './forest/hist-model.ts';
import { trainHistForest } from './forest/train-hist-forest.ts';
import { MljsForestModel } from './mljs/mljs-model.ts';
import type { ForestParams, Model, TrainOptions } from './model.ts';

export type { EngineName, Explanation, ForestParams, Model, TrainOptions } from './model.ts';

/**
 * One place for defaults. minSamplesLeaf 2 and maxDepth 32 (scikit-learn: 1 and unlimited):
 * ~the same AUC on our data, but fewer, shallower nodes, so scoring and per-row explanations of
 * millions of customers are faster and leaf probabilities are less all-or-nothing.
 */
export const defaultForestParams: ForestParams = {
  engine: 'hist',
  nTrees: 100,
  maxDepth: 32,
  minSamplesLeaf: 2,
  maxFeatures: 'sqrt',
  maxBins: 256,
  classWeight: null,
  seed: 1,
};

export function trainModel(data: Dataset, params: Partial<ForestParams>, opts: TrainOptions = {}): Promise<Model> {
  const p: ForestParams = { ...defaultForestParams, ...params };
  if (p.engine === 'hist') return trainHistForest(data, p, opts);
  if (p.engine === 'mljs') return MljsForestModel.train(data, p, opts);
  throw new RangeError(`unknown engine ${String(p.engine)}`);
}

export function loadModel(serialized: string): Model {
  const parsed = JSON.parse(serialized) as { engine?: unknown } | null;
  if (parsed?.engine === 'hist') return HistForestModel.load(parsed);
  if (parsed?.engine === 'mljs') return MljsForestModel.load(parsed);
  throw new Error(`cannot load model: unknown engine ${String(parsed?.engine)}`);
}
