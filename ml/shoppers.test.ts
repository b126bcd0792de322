import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectRows } from './dataset.ts';
import { loadShoppers } from './datasets/shoppers.ts';
import { trainModel } from './engine.ts';
import { sha256, SHOPPERS_SPLIT, shoppersFileSha256 } from './fixtures/shoppers-split.ts';
import { rocAuc } from './metrics.ts';
import { stratifiedSplit } from './split.ts';

interface ShoppersFixture {
  data: { sha256: string; rows: number };
  split: { testFraction: number; seed: number; nTrain: number; nTest: number; testIndicesSha256: string };
  sklearn: { meanAuc: number };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/shoppers-sklearn.json', import.meta.url), 'utf8'),
) as ShoppersFixture;

describe('shoppers data (fixture from fixtures/make-shoppers-fixture.ts)', () => {
  const data = loadShoppers();

  it('parses the file the fixture was made from', () => {
    expect(shoppersFileSha256()).toBe(fixture.data.sha256);
    expect(data.nRows).toBe(12_330);
    expect(data.labels.reduce((s, y) => s + y, 0)).toBe(1908);
    // The one exponent-form value (7.5E-05) is read as a number.
    expect(data.columns.some((c) => c.includes(7.5e-5))).toBe(true);
  });

  it('hist forest ROC-AUC is within 0.01 of scikit-learn on the same split', async () => {
    expect(SHOPPERS_SPLIT.seed).toBe(fixture.split.seed);
    const split = stratifiedSplit(data.labels, fixture.split.testFraction, fixture.split.seed);
    expect(split.train.length).toBe(fixture.split.nTrain);
    expect(sha256(split.test)).toBe(fixture.split.testIndicesSha256);
    const model = await trainModel(selectRows(data, split.train), { seed: 1 });
    const test = selectRows(data, split.test);
    const auc = rocAuc(test.labels, model.predictProba(test.columns));
    expect(Math.abs(auc - fixture.sklearn.meanAuc)).toBeLessThan(0.01);
  });
});
