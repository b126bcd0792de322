import type { Dataset } from '../dataset.ts';
import { createRng } from '../random.ts';

export interface SyntheticOptions {
  nRows: number;
  seed: number;
  /** Share of labels flipped at random after drawing them. */
  labelNoise?: number;
}

/**
 * A deterministic stand-in for customer data: 8 informative columns (with a non-linear
 * interaction and a step), 6 redundant ones (noisy mixes of informative), 6 pure noise, and
 * 2 categoricals (12 and 5 codes) with per-code effects; ~15 % positives, 3 % labels flipped.
 * The shape (22 columns) matches the measured anchor so timings are comparable.
 */
export function makeSynthetic(opts: SyntheticOptions): Dataset {
  const { nRows, seed } = opts;
  const flip = opts.labelNoise ?? 0.03;
  const rng = createRng(seed, 0x5e7);
  const gauss = (): number => {
    // Box–Muller; 1 − u keeps log away from 0.
    const u = 1 - rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  const nInf = 8;
  const nRed = 6;
  const nNoise = 6;
  const names = [
    ...Array.from({ length: nInf }, (_, i) => `inf_${i}`),
    ...Array.from({ length: nRed }, (_, i) => `red_${i}`),
    ...Array.from({ length: nNoise }, (_, i) => `noise_${i}`),
    'cat_a',
    'cat_b',
  ];
  const columns = names.map(() => new Float64Array(nRows));
  const labels = new Uint8Array(nRows);
  const coef = [1.8, -1.5, 1.2, 1.0, -0.9, 0.8, 0.6, -0.5];
  const catA = [0.9, -0.4, 0.1, 0.6, -0.8, 0.0, 0.3, -0.2, 0.5, -0.6, 0.2, 1.1];
  const catB = [-0.5, 0.3, 0.0, 0.7, -0.2];
  const mix = [
    [0.6, 0.4, 0, 0, 0, 0, 0, 0],
    [0, 0.5, -0.5, 0, 0, 0, 0, 0],
    [0, 0, 0.7, 0.3, 0, 0, 0, 0],
    [0.3, 0, 0, 0, 0.7, 0, 0, 0],
    [0, 0, 0, 0, 0, 0.5, 0.5, 0],
    [0, 0.2, 0, 0, 0, 0, 0.3, 0.5],
  ];
  const z = new Float64Array(nInf);
  for (let r = 0; r < nRows; r++) {
    for (let i = 0; i < nInf; i++) z[i] = gauss();
    const a = rng.int(catA.length);
    const b = rng.int(catB.length);
    let logit = -4.2 + catA[a]! + catB[b]!;
    for (let i = 0; i < nInf; i++) logit += coef[i]! * z[i]!;
    logit += 0.8 * z[0]! * z[1]! + (z[2]! > 1 ? 1.0 : 0) - 0.4 * z[3]! * z[3]!;
    const p = 1 / (1 + Math.exp(-logit));
    let y = rng.next() < p ? 1 : 0;
    if (rng.next() < flip) y = 1 - y;
    labels[r] = y;
    let c = 0;
    for (let i = 0; i < nInf; i++) columns[c++]![r] = z[i]!;
    for (const m of mix) {
      let v = 0.3 * gauss();
      for (let i = 0; i < nInf; i++) v += m[i]! * z[i]!;
      columns[c++]![r] = v;
    }
    for (let i = 0; i < nNoise; i++) columns[c++]![r] = i % 2 === 0 ? gauss() : rng.next() * 100;
    columns[c]![r] = a;
    columns[c + 1]![r] = b;
  }
  return {
    featureNames: names,
    categorical: names.map((n) => n.startsWith('cat_')),
    columns,
    labels,
    nRows,
  };
}
