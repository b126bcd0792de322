import { describe, expect, it } from 'vitest';
import type { Dataset } from '../dataset.ts';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { decodeModel, encodeModel, loadModel, trainModel } from '../engine.ts';
import { withLoopGap } from '../event-loop-gap.ts';
import { rocAuc } from '../metrics.ts';
import type { ForestParams } from '../model.ts';
import type { GbdtModel } from './gbdt-model.ts';
import { shouldStop } from './train-boost.ts';

const data = makeSynthetic({ nRows: 4000, seed: 11 });
// Missing values in one column exercise the missing bin and missing-direction splits.
const withMissing: Dataset = {
  ...data,
  columns: data.columns.map((c, f) => (f === 0 ? c.map((v, i) => (i % 7 === 0 ? NaN : v)) : c)),
};
const params: Partial<ForestParams> = {
  engine: 'gbdt',
  seed: 5,
  boost: { maxIter: 40, earlyStopping: true },
};
const train = async (d: Dataset, p: Partial<ForestParams>): Promise<GbdtModel> =>
  (await trainModel(d, p)) as GbdtModel;
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const mean = (p: Float64Array): number => p.reduce((s, v) => s + v, 0) / p.length;

describe('gbdt engine', () => {
  it('is byte-identical for the same seed; the seed picks the early-stopping slice', async () => {
    const a = await train(withMissing, params);
    const b = await train(withMissing, params);
    expect(a.engine).toBe('gbdt');
    expect(b.serialize()).toBe(a.serialize());
    const c = await train(withMissing, { ...params, seed: 6 });
    expect(c.serialize()).not.toBe(a.serialize());
  });

  it('is byte-identical with one thread and with the histogram helper thread', async () => {
    // Big enough that the root and its first children are built by both threads.
    const big = makeSynthetic({ nRows: 80_000, seed: 7 });
    const p: Partial<ForestParams> = { engine: 'gbdt', seed: 3, boost: { maxIter: 6 } };
    const one = await trainModel(big, p, { threads: 1 });
    const two = await trainModel(big, p, { threads: 2 });
    expect(two.serialize()).toBe(one.serialize());
  });

  it('predicts identically after serialize → load and after the stored bytes, and learns the signal', async () => {
    const model = await train(withMissing, params);
    const p = model.predictProba(withMissing.columns);
    expect(sameBytes(loadModel(model.serialize()).predictProba(withMissing.columns), p)).toBe(true);
    const stored = Buffer.concat(encodeModel(model));
    expect(sameBytes(decodeModel(stored).predictProba(withMissing.columns), p)).toBe(true);
    expect(rocAuc(withMissing.labels, p)).toBeGreaterThan(0.9);
    const imp = model.featureImportance();
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(imp[0]!).toBeGreaterThan(imp[data.featureNames.indexOf('noise_0')]!);
  });

  it('stops early on a noisy set, keeping the rounds up to the best validation loss', async () => {
    const noisy = makeSynthetic({ nRows: 6000, seed: 3, labelNoise: 0.35 });
    const model = await train(noisy, {
      engine: 'gbdt',
      seed: 1,
      boost: { maxIter: 300, earlyStopping: true },
    });
    expect(model.info.earlyStopping).toBe(true);
    expect(model.info.validationRows).toBe(600);
    expect(model.info.rounds).toBeLessThan(300);
    expect(model.info.trees).toBeLessThanOrEqual(model.info.rounds);
    expect(model.nTrees).toBe(model.info.trees);
    // Without early stopping every round is kept.
    const full = await train(noisy, {
      engine: 'gbdt',
      seed: 1,
      boost: { maxIter: 30, earlyStopping: false },
    });
    expect(full.nTrees).toBe(30);
    expect(full.info.validationLoss).toBeNull();
  });

  it("early stopping 'auto' is on above 10 000 rows only", async () => {
    const small = await train(data, { engine: 'gbdt', seed: 1, boost: { maxIter: 5 } });
    expect(small.info.earlyStopping).toBe(false);
    const big = await train(makeSynthetic({ nRows: 12_000, seed: 2 }), {
      engine: 'gbdt',
      seed: 1,
      boost: { maxIter: 5 },
    });
    expect(big.info.validationRows).toBe(1200);
  });

  it('stops by scikit-learn’s rule: no loss better than n rounds ago by more than tol', () => {
    expect(shouldStop([0.5, 0.4, 0.41, 0.42], 2)).toBe(true);
    expect(shouldStop([0.5, 0.4, 0.41, 0.39], 2)).toBe(false);
    expect(shouldStop([0.5, 0.4], 2)).toBe(false);
  });

  it('class weights move the base rate up for the weighted class', async () => {
    const p: Partial<ForestParams> = { engine: 'gbdt', seed: 2, boost: { maxIter: 20 } };
    const plain = mean((await train(data, p)).predictProba(data.columns));
    const balanced = mean((await train(data, { ...p, classWeight: 'balanced' })).predictProba(data.columns));
    const explicit = mean((await train(data, { ...p, classWeight: [1, 3] })).predictProba(data.columns));
    expect(balanced).toBeGreaterThan(plain + 0.1);
    expect(explicit).toBeGreaterThan(plain + 0.1);
  });

  it('sends missing values their own way: a label that is "value missing" is learned exactly', async () => {
    const n = 3000;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : (i * 7919) % 101));
    const d: Dataset = {
      featureNames: ['x', 'noise'],
      categorical: [false, false],
      columns: [x, Float64Array.from({ length: n }, (_, i) => (i * 104729) % 89)],
      labels: Uint8Array.from(x, (v) => (Number.isNaN(v) ? 1 : 0)),
      nRows: n,
    };
    const model = await train(d, { engine: 'gbdt', seed: 1, boost: { maxIter: 10 } });
    const p = model.predictProba(d.columns);
    expect(rocAuc(d.labels, p)).toBe(1);
    expect(model.featureImportance()[0]).toBeGreaterThan(0.99);
  });

  it('contributions + base = probability, and explainTop lists the largest ones', async () => {
    const model = await train(withMissing, params);
    const p = model.predictProba(withMissing.columns);
    for (let r = 0; r < 200; r++) {
      const { base, contributions } = model.explain(withMissing.columns, r);
      expect(Math.abs(contributions.reduce((s, v) => s + v, base) - p[r]!)).toBeLessThan(1e-9);
    }
    const top = model.explainTop(withMissing.columns, 3);
    expect(top.top).toHaveLength(data.nRows);
    const row0 = model.explain(withMissing.columns, 0).contributions;
    const best = Array.from(row0.keys()).sort((x, y) => Math.abs(row0[y]!) - Math.abs(row0[x]!));
    expect(top.top[0]!.map((t) => t.feature)).toEqual(best.slice(0, 3));
    for (const t of top.top[0]!) expect(t.contribution).toBeCloseTo(row0[t.feature]!, 12);
    expect(top.base).toBeCloseTo(model.explain(withMissing.columns, 0).base, 15);
  });

  it('scores on threads with the same numbers as the sync path', async () => {
    const model = await train(withMissing, params);
    const big = makeSynthetic({ nRows: 100_000, seed: 4 });
    const r = await model.scoreAsync(big.columns, { k: 3, threads: 2 });
    const sync = model.explainTopTyped(big.columns, 3);
    expect(sameBytes(r.proba, model.predictProba(big.columns))).toBe(true);
    expect(sameBytes(r.top!.features, sync.features)).toBe(true);
    expect(sameBytes(r.top!.contributions, sync.contributions)).toBe(true);
    expect(sameBytes(await model.predictProbaAsync(big.columns, { threads: 2 }), r.proba)).toBe(true);
  });

  it('fits on a thread: the event loop keeps turning, progress reaches the total, abort stops it', async () => {
    const big = makeSynthetic({ nRows: 60_000, seed: 2 });
    const seen: number[] = [];
    const { maxGapMs: worstGap } = await withLoopGap(() =>
      trainModel(
        big,
        { engine: 'gbdt', seed: 1, boost: { maxIter: 30, earlyStopping: false } },
        { onProgress: (done, total) => seen.push(done / total) },
      ),
    );
    expect(worstGap).toBeLessThan(1000);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(1);

    const ctrl = new AbortController();
    const run = trainModel(
      big,
      { engine: 'gbdt', seed: 1, boost: { maxIter: 5000, earlyStopping: false } },
      { signal: ctrl.signal, onProgress: () => ctrl.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses bad settings before starting, naming the setting', async () => {
    await expect(trainModel(data, { engine: 'gbdt', boost: { learningRate: 0 } })).rejects.toThrow(
      /boost\.learningRate must be in \(0, 1\], got 0/,
    );
    await expect(trainModel(data, { engine: 'gbdt', boost: { maxLeafNodes: 1 } })).rejects.toThrow(
      /boost\.maxLeafNodes/,
    );
  });
});
