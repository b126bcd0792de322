import { describe, expect, it } from 'vitest';
import { calibrate, trainCalibrated } from '../calibration/train-calibrated.ts';
import { selectRows } from '../dataset.ts';
import { makeSynthetic } from '../datasets/synthetic.ts';
import { decodeModel, encodeModel, loadModel, trainModel } from '../engine.ts';
import { rocAuc } from '../metrics.ts';
import type { Model } from '../model.ts';
import { blendLabel, BlendModel } from './blend-model.ts';

const data = makeSynthetic({ nRows: 3_000, seed: 3 });
const idx = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const train = selectRows(data, idx(0, 2_000));
const valid = selectRows(data, idx(2_000, 3_000));
const validIds = idx(2_000, 3_000).map((i) => `r${i}`);
const params = { nTrees: 20, seed: 5 };

let fitted: Promise<Model[]> | null = null;
/** The three calibrated members, fitted once for the file. */
function members(): Promise<Model[]> {
  fitted ??= fitMembers();
  return fitted;
}

async function fitMembers(): Promise<Model[]> {
  const cal = { data: valid, ids: validIds };
  return [
    await trainCalibrated(train, cal, { ...params, engine: 'logistic' }),
    await trainCalibrated(train, cal, { ...params, engine: 'hist' }),
    await trainCalibrated(train, cal, { ...params, engine: 'gbdt', boost: { maxIter: 20 } }),
  ];
}

const concat = (bufs: Buffer[]): Buffer => Buffer.concat(bufs);

describe('BlendModel', () => {
  it('averages its members with its weights, on and off the main thread', async () => {
    const ms = await members();
    const blend = new BlendModel(ms, [0.5, 0.25, 0.25]);
    const p = blend.predictProba(valid.columns);
    const each = ms.map((m) => m.predictProba(valid.columns));
    for (let i = 0; i < p.length; i++)
      expect(p[i]).toBeCloseTo(0.5 * each[0]![i]! + 0.25 * each[1]![i]! + 0.25 * each[2]![i]!, 12);
    expect(Array.from(await blend.predictProbaAsync(valid.columns, { threads: 2 }))).toEqual(Array.from(p));
    expect(rocAuc(valid.labels, p)).toBeGreaterThan(0.7);
    expect(blendLabel(blend.spec)).toBe('blend (logistic 0.5 + hist 0.25 + gbdt 0.25)');
  });

  it('round-trips serialize/load and encode/decode to the same bytes and the same scores, calibrated or not', async () => {
    const blend = new BlendModel((await members()).slice(1), [0.5, 0.5]);
    const calibrated = await calibrate(blend, { data: valid, ids: validIds }, 5);
    for (const m of [blend, calibrated]) {
      const p = Array.from(m.predictProba(valid.columns));
      const loaded = loadModel(m.serialize());
      expect(loaded.engine).toBe('blend');
      expect(loaded.serialize()).toBe(m.serialize());
      expect(Array.from(loaded.predictProba(valid.columns))).toEqual(p);
      const bytes = concat(encodeModel(m));
      const decoded = decodeModel(bytes);
      expect(concat(encodeModel(decoded)).equals(bytes)).toBe(true);
      expect(Array.from(decoded.predictProba(valid.columns))).toEqual(p);
    }
    // The bare blend is stored in the binary form (a header + each member's own bytes).
    expect(concat(encodeModel(blend)).subarray(0, 9).toString('latin1')).toBe('CPDMODEL1');
  });

  it('explains: base + Σ contributions = the score, for the blend and the calibrated blend', async () => {
    const blend = new BlendModel(await members(), [0.2, 0.3, 0.5]);
    const calibrated = await calibrate(blend, { data: valid, ids: validIds }, 5);
    const nf = blend.featureNames.length;
    for (const m of [blend, calibrated]) {
      const p = m.predictProba(valid.columns);
      const ex = m.explainTop(valid.columns, nf);
      ex.top.forEach((row, r) => {
        expect(ex.base + row.reduce((s, t) => s + t.contribution, 0)).toBeCloseTo(p[r]!, 9);
      });
      const top2 = m.explainTop(valid.columns, 2);
      expect(top2.top.every((row) => row.length <= 2)).toBe(true);
      expect(top2.top[0]).toEqual(ex.top[0]!.slice(0, 2));
    }
    // Importance: the weighted mean of each member's importances scaled to sum 1.
    const imp = blend.featureImportance();
    const scaled = blend.members.map((m) => {
      const v = m.featureImportance().map(Math.abs);
      const t = v.reduce((x, y) => x + y, 0);
      return v.map((x) => x / t);
    });
    expect(imp.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    imp.forEach((v, f) =>
      expect(v).toBeCloseTo(0.2 * scaled[0]![f]! + 0.3 * scaled[1]![f]! + 0.5 * scaled[2]![f]!, 12),
    );
  });

  it('scores off the main thread with the same probabilities and reasons (the nightly scorer)', async () => {
    const blend = new BlendModel(await members(), [0.2, 0.3, 0.5]);
    const calibrated = await calibrate(blend, { data: valid, ids: validIds }, 5);
    const scoreAsync = calibrated.scoreAsync;
    expect(scoreAsync).toBeTypeOf('function');
    const { proba, top } = await scoreAsync!(valid.columns, { k: 3 });
    const p = calibrated.predictProba(valid.columns);
    proba.forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 12));
    const ex = calibrated.explainTop(valid.columns, 3);
    expect(top!.k).toBe(3);
    expect(top!.base).toBeCloseTo(ex.base, 12);
    ex.top.forEach((row, r) =>
      row.forEach((t, i) => {
        expect(top!.features[r * 3 + i]).toBe(t.feature);
        expect(top!.contributions[r * 3 + i]).toBeCloseTo(t.contribution, 9);
      }),
    );
    expect((await blend.scoreAsync(valid.columns)).top).toBeNull();
  });

  it('gives the same reasons over many slices of rows, with the event loop free in between', async () => {
    // 40,000 rows: the work done on the main thread (the logistic member, the sums, the top k) spans three slices.
    const big = makeSynthetic({ nRows: 40_000, seed: 9 });
    const blend = new BlendModel((await members()).slice(0, 2), [0.4, 0.6]);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    const { proba, top } = await blend.scoreAsync(big.columns, { k: 4 });
    clearInterval(ticking);
    expect(turns).toBeGreaterThan(1);
    const p = blend.predictProba(big.columns);
    const ex = blend.explainTop(big.columns, 4);
    let compared = 0;
    for (let r = 0; r < big.nRows; r += 7) {
      expect(proba[r]).toBeCloseTo(p[r]!, 12);
      ex.top[r]!.forEach((t, i) => {
        expect(top!.features[r * 4 + i]).toBe(t.feature);
        expect(top!.contributions[r * 4 + i]).toBeCloseTo(t.contribution, 12);
        compared++;
      });
      for (let i = ex.top[r]!.length; i < 4; i++) expect(top!.features[r * 4 + i]).toBe(-1);
    }
    expect(compared).toBeGreaterThan(20_000);
  });

  it('refits a blend recipe the same for a seed (trainModel and trainCalibrated)', async () => {
    const recipe = {
      ...params,
      engine: 'blend' as const,
      blend: { members: ['logistic' as const, 'hist' as const], weights: [0.5, 0.5] },
    };
    const a = await trainModel(train, recipe);
    const b = await trainModel(train, recipe);
    expect(a).toBeInstanceOf(BlendModel);
    expect(a.serialize()).toBe(b.serialize());
    const cal = { data: valid, ids: validIds };
    const c = await trainCalibrated(train, cal, recipe);
    const d = await trainCalibrated(train, cal, recipe);
    expect(c.engine).toBe('blend');
    expect(c.serialize()).toBe(d.serialize());
    // The members are calibrated models themselves, as engine auto blends them.
    expect((c.inner as BlendModel).members.map((m) => m.engine)).toEqual(['logistic', 'hist']);
    await expect(trainModel(train, { ...params, engine: 'blend' })).rejects.toThrow(/params\.blend/);
  });

  it('refuses bad weights and members that do not share features', async () => {
    const ms = await members();
    expect(() => new BlendModel(ms.slice(0, 2), [0.7, 0.7])).toThrow(/sum to 1/);
    expect(() => new BlendModel(ms.slice(0, 2), [1])).toThrow(/2 members has 1 weights/);
    expect(() => new BlendModel(ms.slice(0, 2), [1, 0])).toThrow(/> 0/);
    const other = await trainModel(
      { ...train, featureNames: train.featureNames.map((n) => `x_${n}`) },
      {
        ...params,
        engine: 'logistic',
      },
    );
    expect(() => new BlendModel([ms[0]!, other], [0.5, 0.5])).toThrow(/same feature names/);
  });
});

describe('trainBlend', () => {
  it('fits the members at the same time into the models fitted one after the other, in recipe order', async () => {
    const recipe = { ...params, boost: { maxIter: 20 } };
    const blend = await trainModel(train, {
      ...recipe,
      engine: 'blend',
      blend: { members: ['gbdt', 'logistic', 'hist'], weights: [0.5, 0.25, 0.25] },
    });
    const alone = [
      await trainModel(train, { ...recipe, engine: 'gbdt' }),
      await trainModel(train, { ...recipe, engine: 'logistic' }),
      await trainModel(train, { ...recipe, engine: 'hist' }),
    ];
    expect(Array.from(blend.predictProba(valid.columns))).toEqual(
      Array.from((blend as BlendModel).mix(alone.map((m) => m.predictProba(valid.columns)))),
    );
    expect((blend as BlendModel).spec.members).toEqual(['gbdt', 'logistic', 'hist']);
  });
});
