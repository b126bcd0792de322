import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../dataset.ts';
import { selectRows } from '../dataset.ts';
import { loadShoppers } from '../datasets/shoppers.ts';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { trainModel } from '../engine.ts';
import { sha256 } from '../fixtures/shoppers-split.ts';
import { rocAuc } from '../metrics.ts';
import { stratifiedSplit } from '../split.ts';

interface Case {
  split: { testFraction: number; seed: number; nTrain: number; testIndicesSha256: string };
  meanAuc: number;
}

/** scikit-learn's HistGradientBoostingClassifier on the same splits (fixtures/make-hgb-fixture.ts). */
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/sklearn-hgb.json', import.meta.url), 'utf8'),
) as { shoppers: Case; synthetic: Case & { nRows: number; seed: number } };

/** "On par": a few thousandths is what scikit-learn's own AUC moves with its random_state. */
const PAR = 0.003;

async function gbdtAuc(data: Dataset, c: Case): Promise<number> {
  const split = stratifiedSplit(data.labels, c.split.testFraction, c.split.seed);
  expect(split.train.length).toBe(c.split.nTrain);
  expect(sha256(split.test)).toBe(c.split.testIndicesSha256);
  const model = await trainModel(selectRows(data, split.train), { engine: 'gbdt', seed: 1 });
  const test = selectRows(data, split.test);
  return rocAuc(test.labels, model.predictProba(test.columns));
}

describe('gbdt ROC-AUC against scikit-learn HistGradientBoosting (defaults, same rows)', () => {
  it('shoppers', async () => {
    const auc = await gbdtAuc(loadShoppers(), fixture.shoppers);
    expect(auc).toBeGreaterThan(fixture.shoppers.meanAuc - PAR);
  });

  it('synthetic (early stopping on for both)', async () => {
    const s = fixture.synthetic;
    const auc = await gbdtAuc(makeSynthetic({ nRows: s.nRows, seed: s.seed }), s);
    expect(auc).toBeGreaterThan(s.meanAuc - PAR);
  });
});
