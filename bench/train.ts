/**
 * npm run bench:train — cpd's hist forest vs scikit-learn's RandomForestClassifier (100 trees,
 * n_jobs=2), and cpd's gbdt vs scikit-learn's HistGradientBoostingClassifier (defaults), on the
 * same split, in the same run, so the ratios are meaningful on a noisy machine.
 * Data: the UCI shoppers file and a deterministic synthetic 200k × 22 set (--rows to change).
 * Splits are written to bench/.data/ for the python side (bench/train-sklearn.py).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GbdtModel } from '../ml/boost/gbdt-model.ts';
import type { Dataset } from '../ml/dataset.ts';
import { selectRows } from '../ml/dataset.ts';
import { loadShoppers } from '../ml/datasets/shoppers.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { defaultBoostParams, defaultForestParams, trainModel } from '../ml/engine.ts';
import { ensureSklearn, runSklearnForest, runSklearnHistGb } from '../ml/fixtures/sklearn-bridge.ts';
import { HistForestModel } from '../ml/forest/hist-model.ts';
import { rocAuc } from '../ml/metrics.ts';
import { stratifiedSplit } from '../ml/split.ts';

const DATA_DIR = fileURLToPath(new URL('./.data/', import.meta.url));
const SPLIT_SEED = 42;

interface Side {
  fit: number;
  predict: number;
  auc: number;
  /** CPU seconds of the fit, every thread (gbdt and HGB only): what the machine's load cannot inflate. */
  fitCpu?: number;
}

interface Result {
  cpd: Side;
  sk: Side | null;
  gbdt: Side;
  hgb: Side | null;
}

async function benchOne(name: string, data: Dataset, sklearn: boolean): Promise<Result> {
  const split = stratifiedSplit(data.labels, 0.2, SPLIT_SEED);
  const train = selectRows(data, split.train);
  const test = selectRows(data, split.test);
  const t0 = performance.now();
  const model = await trainModel(train, defaultForestParams);
  const t1 = performance.now();
  // Predict time covers every row of the data set, on threads like scikit-learn's n_jobs=2.
  if (model instanceof HistForestModel) await model.predictProbaAsync(data.columns);
  else model.predictProba(data.columns);
  const t2 = performance.now();
  const cpd = {
    fit: (t1 - t0) / 1000,
    predict: (t2 - t1) / 1000,
    auc: rocAuc(test.labels, model.predictProba(test.columns)),
  };
  console.log(`${name}: ${train.nRows} train / ${test.nRows} test rows × ${data.columns.length} features`);
  console.log(
    `${name}: cpd hist     fit ${cpd.fit.toFixed(2)} s  predict ${cpd.predict.toFixed(2)} s  ROC-AUC ${cpd.auc.toFixed(4)}`,
  );
  if (!sklearn) return { cpd, sk: null, gbdt: await benchGbdt(name, train, test, data), hgb: null };
  const r = runSklearnForest(DATA_DIR, name, train, test);
  const sk = { fit: r.fitSeconds, predict: r.predictSeconds, auc: r.auc };
  console.log(
    `${name}: scikit-learn fit ${sk.fit.toFixed(2)} s  predict ${sk.predict.toFixed(2)} s  ROC-AUC ${sk.auc.toFixed(4)} (${r.sklearn})`,
  );
  console.log(
    `${name}: fit ratio ${(cpd.fit / sk.fit).toFixed(3)}  AUC delta ${(cpd.auc - sk.auc).toFixed(4)}`,
  );
  // gbdt and HistGradientBoosting back to back: the load of a shared machine moves by the minute.
  const gbdt = await benchGbdt(name, train, test, data);
  const h = runSklearnHistGb(DATA_DIR, name, train, test);
  const hgb = { fit: h.fitSeconds, predict: h.predictSeconds, auc: h.auc, fitCpu: h.fitCpuSeconds };
  console.log(
    `${name}: sklearn HGB  fit ${hgb.fit.toFixed(2)} s (best of ${h.fitSecondsDefaultThreads?.toFixed(2)} s default threads, ${h.fitSecondsOneThread?.toFixed(2)} s one thread)  cpu ${hgb.fitCpu?.toFixed(2)} s  predict ${hgb.predict.toFixed(2)} s  ROC-AUC ${hgb.auc.toFixed(4)}  rounds ${h.rounds?.[0] ?? '?'}`,
  );
  console.log(
    `${name}: gbdt fit ratio ${(gbdt.fit / hgb.fit).toFixed(3)}  cpu ratio ${(gbdt.fitCpu! / hgb.fitCpu!).toFixed(3)}  AUC delta ${(gbdt.auc - hgb.auc).toFixed(4)}`,
  );
  return { cpd, sk, gbdt, hgb };
}

/** cpd's gradient boosting (defaults, as scikit-learn's) on the same rows as the forest. */
async function benchGbdt(name: string, train: Dataset, test: Dataset, data: Dataset): Promise<Side> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await trainModel(train, { ...defaultForestParams, engine: 'gbdt' });
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  if (model instanceof GbdtModel) await model.predictProbaAsync(data.columns);
  const t2 = performance.now();
  const side = {
    fit: (t1 - t0) / 1000,
    predict: (t2 - t1) / 1000,
    auc: rocAuc(test.labels, model.predictProba(test.columns)),
    fitCpu: (cpu.user + cpu.system) / 1e6,
  };
  const rounds = model instanceof GbdtModel ? `  rounds ${model.info.rounds}` : '';
  console.log(
    `${name}: cpd gbdt     fit ${side.fit.toFixed(2)} s  cpu ${side.fitCpu.toFixed(2)} s  predict ${side.predict.toFixed(2)} s  ROC-AUC ${side.auc.toFixed(4)}${rounds}`,
  );
  return side;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' } } });
  const rows = Number(values.rows);
  const sklearn = ensureSklearn((line) => console.log(line));
  const p = defaultForestParams;
  console.log(
    `cpd hist: ${p.nTrees} trees, maxDepth ${p.maxDepth}, minSamplesLeaf ${p.minSamplesLeaf}, maxFeatures ${p.maxFeatures}, maxBins ${p.maxBins}`,
  );
  console.log(`cpd gbdt: ${JSON.stringify(defaultBoostParams)}, maxBins ${p.maxBins}`);
  // scikit-learn's fit is timed after Python has imported it; ours likewise after the engine's
  // one-time start in this process (thread bundle, JIT of the split loops), paid on a small
  // synthetic set that is not part of either measurement.
  const w0 = performance.now();
  const warm = makeSynthetic({ nRows: 2_000, seed: 99 });
  await trainModel(warm, { ...defaultForestParams, nTrees: 8 });
  await trainModel(warm, { ...defaultForestParams, engine: 'gbdt', boost: { maxIter: 5 } });
  console.log(
    `cpd engine start-up (once per process, excluded like sklearn's import): ${((performance.now() - w0) / 1000).toFixed(2)} s`,
  );
  const shoppers = await benchOne('shoppers', loadShoppers(), sklearn);
  const synth = await benchOne(`synth_${rows / 1000}k`, makeSynthetic({ nRows: rows, seed: 1 }), sklearn);
  const f = (x: number | null | undefined, d: number): string =>
    x === undefined || x === null ? 'NaN' : x.toFixed(d);
  console.log(
    `bench train: ratio=${f(synth.sk && synth.cpd.fit / synth.sk.fit, 3)} auc_delta=${f(synth.sk && synth.cpd.auc - synth.sk.auc, 4)}` +
      ` cpd_fit=${f(synth.cpd.fit, 2)} sklearn_fit=${f(synth.sk?.fit, 2)}` +
      ` shoppers_ratio=${f(shoppers.sk && shoppers.cpd.fit / shoppers.sk.fit, 3)} shoppers_auc_delta=${f(shoppers.sk && shoppers.cpd.auc - shoppers.sk.auc, 4)}` +
      ` gbdt_ratio=${f(synth.hgb && synth.gbdt.fit / synth.hgb.fit, 3)} gbdt_cpu_ratio=${f(synth.hgb?.fitCpu && synth.gbdt.fitCpu! / synth.hgb.fitCpu, 3)} gbdt_auc=${f(synth.gbdt.auc, 4)} sklearn_hgb_auc=${f(synth.hgb?.auc, 4)}` +
      ` shoppers_gbdt_ratio=${f(shoppers.hgb && shoppers.gbdt.fit / shoppers.hgb.fit, 3)} shoppers_gbdt_auc=${f(shoppers.gbdt.auc, 4)} shoppers_sklearn_hgb_auc=${f(shoppers.hgb?.auc, 4)}`,
  );
}

await main();
