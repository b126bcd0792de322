import type { Dataset } from '../dataset.ts';
import { validateDataset } from '../dataset.ts';
import type { ForestParams, TrainOptions } from '../model.ts';
import { featuresPerSplit } from '../model.ts';
import type { BinnedMatrix } from './bins.ts';
import { binColumns } from './bins.ts';
import { forestFromTrees, importanceFromTrees } from './forest-arrays.ts';
import type { TreeData } from './grow-tree.ts';
import { HistForestModel } from './hist-model.ts';
import { trainTrees } from './train-trees.ts';

/** 'balanced' as scikit-learn: n / (2 · n_class), so both classes carry equal total weight. */
export function classWeights(
  labels: Uint8Array,
  mode: ForestParams['classWeight'],
): readonly [number, number] {
  if (mode !== null && typeof mode === 'object') {
    if (!(mode[0] >= 0 && mode[1] >= 0 && mode[0] + mode[1] > 0))
      throw new RangeError(`classWeight must be two weights ≥ 0, got ${JSON.stringify(mode)}`);
    return mode;
  }
  if (mode !== 'balanced') return [1, 1];
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i]!;
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return [1, 1];
  return [labels.length / (2 * neg), labels.length / (2 * pos)];
}

export async function trainHistForest(
  data: Dataset,
  params: ForestParams,
  opts: TrainOptions = {},
): Promise<HistForestModel> {
  validateDataset(data);
  if (!(params.nTrees >= 1)) throw new RangeError(`nTrees must be ≥ 1, got ${params.nTrees}`);
  if (!(params.minSamplesLeaf >= 1))
    throw new RangeError(`minSamplesLeaf must be ≥ 1, got ${params.minSamplesLeaf}`);
  let binned: BinnedMatrix | undefined;
  const prepare = async (): Promise<TreeData> => {
    binned = await binColumns(data.columns, data.nRows, params.maxBins);
    const labels = new Uint8Array(new SharedArrayBuffer(data.nRows));
    labels.set(data.labels);
    return { bins: binned.bins, labels, nRows: data.nRows, nFeatures: binned.nFeatures, nBins: binned.nBins };
  };
  const nFeatures = data.columns.length;
  const trees = await trainTrees(
    prepare,
    {
      maxDepth: params.maxDepth,
      minSamplesLeaf: params.minSamplesLeaf,
      mtry: featuresPerSplit(params.maxFeatures, nFeatures),
      bootstrap: params.bootstrap ?? true,
      classWeight: classWeights(data.labels, params.classWeight),
    },
    params.nTrees,
    params.seed,
    opts,
  );
  if (!binned) throw new Error('forest trained without binned data');
  return new HistForestModel(
    [...data.featureNames],
    params,
    forestFromTrees(trees, binned.cuts),
    importanceFromTrees(trees, nFeatures),
  );
}
