import type { BoostParams } from '../model.ts';

/**
 * The one place for gbdt defaults: scikit-learn's HistGradientBoostingClassifier's (learning_rate
 * 0.1, max_iter 100, max_leaf_nodes 31, min_samples_leaf 20, l2_regularization 0,
 * early_stopping 'auto' with validation_fraction 0.1 and n_iter_no_change 10), so the bench
 * compares the same model, not a tuned one.
 */
export const defaultBoostParams: BoostParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  l2: 0,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  nIterNoChange: 10,
};

/** Above this many training rows 'auto' turns early stopping on (scikit-learn's rule). */
export const AUTO_EARLY_STOPPING_ROWS = 10_000;

/** Defaults filled in and every value checked: a bad setting fails before any thread starts. */
export function resolveBoostParams(p: Partial<BoostParams> | undefined): BoostParams {
  // An explicit undefined (a caller spreading optional settings) keeps the default.
  const given = Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined));
  const r: BoostParams = { ...defaultBoostParams, ...given };
  const bad = (name: string, want: string, got: unknown): never => {
    throw new RangeError(`boost.${name} must be ${want}, got ${JSON.stringify(got)}`);
  };
  if (!(r.learningRate > 0 && r.learningRate <= 1)) bad('learningRate', 'in (0, 1]', r.learningRate);
  if (!(Number.isInteger(r.maxIter) && r.maxIter >= 1)) bad('maxIter', 'an integer ≥ 1', r.maxIter);
  if (!(Number.isInteger(r.maxLeafNodes) && r.maxLeafNodes >= 2))
    bad('maxLeafNodes', 'an integer ≥ 2', r.maxLeafNodes);
  if (!(Number.isInteger(r.maxDepth) && r.maxDepth >= 0)) bad('maxDepth', 'an integer ≥ 0', r.maxDepth);
  if (!(Number.isInteger(r.minSamplesLeaf) && r.minSamplesLeaf >= 1))
    bad('minSamplesLeaf', 'an integer ≥ 1', r.minSamplesLeaf);
  if (!(r.l2 >= 0)) bad('l2', '≥ 0', r.l2);
  if (!(r.earlyStopping === 'auto' || typeof r.earlyStopping === 'boolean'))
    bad('earlyStopping', "'auto', true or false", r.earlyStopping);
  if (!(r.validationFraction > 0 && r.validationFraction < 1))
    bad('validationFraction', 'in (0, 1)', r.validationFraction);
  if (!(Number.isInteger(r.nIterNoChange) && r.nIterNoChange >= 1))
    bad('nIterNoChange', 'an integer ≥ 1', r.nIterNoChange);
  return r;
}
