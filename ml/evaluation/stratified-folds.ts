import { createRng } from '../random.ts';

/**
 * Seeded stratified k-fold assignment: each class is shuffled on its own stream and dealt
 * round-robin, so every fold keeps the positive rate (scikit-learn StratifiedKFold-like).
 * Returns the fold (0..k-1) of every row.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 255)
    throw new RangeError(`k must be an integer in 2..255, got ${k}`);
  const fold = new Uint8Array(labels.length);
  for (const y of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === y) rows.push(i);
    const rng = createRng(seed, 100 + y);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = tmp;
    }
    // Positives continue the round-robin where negatives stopped, so fold sizes differ by at most one.
    const offset = y === 1 ? labels.length - rows.length : 0;
    rows.forEach((row, i) => (fold[row] = (i + offset) % k));
  }
  return fold;
}
