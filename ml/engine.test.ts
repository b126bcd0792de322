import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.ts';
import { makeSynthetic } from './datasets/synthetic.ts';
import { loadModel, trainModel } from './engine.ts';
import type { HistForestModel } from './forest/hist-model.ts';
import { rocAuc } from './metrics.ts';

const data = makeSynthetic({ nRows: 3000, seed: 11 });
// Missing values in one column exercise the NaN bin and missing-direction splits.
const withMissing: Dataset = {
  ...data,
  columns: data.columns.map((c, f) => (f === 0 ? c.map((v, i) => (i % 7 === 0 ? NaN : v)) : c)),
};
const params = { nTrees: 16, seed: 5 };
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('hist engine', () => {
  it('is bit-identical for the same seed with 1 and 2 threads', async () => {
    const a = await trainModel(withMissing, params, { threads: 1 });
    const b = await trainModel(withMissing, params, { threads: 2 });
    expect(b.serialize()).toBe(a.serialize());
    const c = await trainModel(withMissing, { ...params, seed: 6 }, { threads: 2 });
    expect(c.serialize()).not.toBe(a.serialize());
  });

  it('predicts the same after serialize → load, and learns the signal', async () => {
    const model = await trainModel(withMissing, params);
    const loaded = loadModel(model.serialize());
    const p = model.predictProba(withMissing.columns);
    expect(loaded.predictProba(withMissing.columns)).toEqual(p);
    expect(loaded.featureNames).toEqual(data.featureNames);
    expect(rocAuc(withMissing.labels, p)).toBeGreaterThan(0.9);
    const imp = model.featureImportance();
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    // Informative inf_0 outranks pure noise.
    expect(imp[0]!).toBeGreaterThan(imp[data.featureNames.indexOf('noise_0')]!);
  });

  it('contributions + base = probability for every row', async () => {
    const model = (await trainModel(withMissing, params)) as HistForestModel;
    const p = model.predictProba(withMissing.columns);
    for (let r = 0; r < 200; r++) {
      const { base, contributions } = model.explain(withMissing.columns, r);
      const sum = contributions.reduce((s, v) => s + v, base);
      expect(Math.abs(sum - p[r]!)).toBeLessThan(1e-9);
    }
    const top = model.explainTop(withMissing.columns, 3);
    expect(top.top).toHaveLength(data.nRows);
    const row0 = model.explain(withMissing.columns, 0).contributions;
    const best = Array.from(row0.keys()).sort((x, y) => Math.abs(row0[y]!) - Math.abs(row0[x]!));
    expect(top.top[0]!.map((t) => t.feature)).toEqual(best.slice(0, 3));
  });

  it('weights classes: balanced and explicit weights raise scores of the rare class', async () => {
    const mean = (m: { predictProba(c: Float64Array[]): Float64Array }): number => {
      const p = m.predictProba(data.columns);
      return p.reduce((s, v) => s + v, 0) / p.length;
    };
    const plain = mean(await trainModel(data, { nTrees: 8, seed: 2 }));
    const balanced = mean(await trainModel(data, { nTrees: 8, seed: 2, classWeight: 'balanced' }));
    const explicit = mean(await trainModel(data, { nTrees: 8, seed: 2, classWeight: [1, 3] }));
    expect(balanced).toBeGreaterThan(plain + 0.05);
    expect(explicit).toBeGreaterThan(plain + 0.05);
  });

  it('scores on threads with the same numbers as the sync path', async () => {
    const model = (await trainModel(withMissing, params)) as HistForestModel;
    const big = makeSynthetic({ nRows: 100_000, seed: 4 });
    // Missing values take each split's learned side: the one-walk scorer must follow it too.
    for (let i = 0; i < big.nRows; i += 13) big.columns[i % big.columns.length]![i] = NaN;
    const r = await model.scoreAsync(big.columns, { k: 3, threads: 2 });
    const sync = model.explainTopTyped(big.columns, 3);
    // Byte comparison: deep-equal on 100k-element typed arrays is slow in vitest.
    expect(sameBytes(r.proba, model.predictProba(big.columns))).toBe(true);
    expect(sameBytes(r.top!.features, sync.features)).toBe(true);
    expect(sameBytes(r.top!.contributions, sync.contributions)).toBe(true);
  });

  it('names the deciding feature as every row’s top reason', async () => {
    const n = 2000;
    const decider = Float64Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const labels = Uint8Array.from(decider, (v) => (v >= n / 2 ? 1 : 0));
    const noise = [1, 2, 3].map((k) => Float64Array.from({ length: n }, (_, i) => (i * (104729 + k)) % 97));
    const d: Dataset = {
      featureNames: ['n1', 'decider', 'n2', 'n3'],
      categorical: [false, false, false, false],
      columns: [noise[0]!, decider, noise[1]!, noise[2]!],
      labels,
      nRows: n,
    };
    const model = await trainModel(d, { nTrees: 10, seed: 1, maxFeatures: 4 });
    const top = model.explainTop(d.columns, 1).top;
    expect(top.every((t) => t[0]?.feature === 1)).toBe(true);
  });

  it('reports progress up to the total and stops on abort', async () => {
    const seen: number[] = [];
    await trainModel(data, { nTrees: 6, seed: 1 }, { onProgress: (done, total) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);

    const big = makeSynthetic({ nRows: 40_000, seed: 2 });
    const ctrl = new AbortController();
    const started = Date.now();
    const run = trainModel(
      big,
      { nTrees: 500, seed: 1 },
      { signal: ctrl.signal, onProgress: () => ctrl.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(20_000);

    const pre = new AbortController();
    pre.abort();
    await expect(trainModel(data, params, { signal: pre.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('mljs engine', () => {
  it('trains on a capped sample, votes into probabilities and round-trips', async () => {
    const small = makeSynthetic({ nRows: 400, seed: 3 });
    const model = await trainModel(small, {
      engine: 'mljs',
      nTrees: 5,
      maxSamples: 200,
      maxDepth: 6,
      seed: 3,
    });
    expect(model.engine).toBe('mljs');
    const p = model.predictProba(small.columns);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(loadModel(model.serialize()).predictProba(small.columns)).toEqual(p);
    expect(() => model.explainTop(small.columns, 3)).toThrow(/not supported by engine mljs/);
  });
});
