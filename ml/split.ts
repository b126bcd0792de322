import { createRng } from './random.ts';

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Seeded stratified split: each class is shuffled on its own stream and round(n_class ×
 * testFraction) of it goes to test, so both sides keep the positive rate. Indices are
 * returned ascending so a split written to disk is easy to diff and reproduce.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): Split {
  if (!(testFraction > 0 && testFraction < 1))
    throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    const list = byClass.get(y);
    if (list) list.push(i);
    else byClass.set(y, [i]);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(y) ?? [];
    const rng = createRng(seed, y);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = tmp;
    }
    const nTest = Math.round(rows.length * testFraction);
    // Loops, not push(...rows): spreading 100k+ arguments overflows the call stack.
    for (let i = 0; i < rows.length; i++) (i < nTest ? test : train).push(rows[i] as number);
  }
  return { train: Uint32Array.from(train).sort(), test: Uint32Array.from(test).sort() };
}
