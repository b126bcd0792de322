import { setImmediate } from 'node:timers/promises';
import { createRng } from './random.ts';

/** Rows walked between two yields to the event loop (a worker's main thread must keep renewing its job lock). */
const YIELD_ROWS = 20_000;

/**
 * Seeded stratified sample of `size` row indices out of labels.length, ascending: each class
 * gets its share by largest remainder (so the sample's positive count is within one row of
 * size × base rate, and the sizes add up exactly), drawn without replacement by a partial
 * Fisher-Yates shuffle on its own stream of `seed`. All rows when size ≥ labels.length. Yields
 * to the event loop every 20 000 rows, so a million rows never block it for long.
 */
export async function stratifiedSample(
  labels: ArrayLike<number>,
  size: number,
  seed: number,
): Promise<Uint32Array> {
  const n = labels.length;
  if (!(Number.isInteger(size) && size >= 0))
    throw new RangeError(`sample size must be a non-negative integer, got ${size}`);
  if (size >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    counts.set(y, (counts.get(y) ?? 0) + 1);
    if (i % YIELD_ROWS === YIELD_ROWS - 1) await setImmediate();
  }
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const quota = sharesOf(
    classes.map((y) => counts.get(y)!),
    size,
  );
  // Each class's row indices, in row order, then the first `quota` of a partial shuffle of them.
  const rowsOf = new Map(classes.map((y) => [y, new Uint32Array(counts.get(y)!)]));
  const filled = new Map(classes.map((y) => [y, 0]));
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    const at = filled.get(y)!;
    rowsOf.get(y)![at] = i;
    filled.set(y, at + 1);
    if (i % YIELD_ROWS === YIELD_ROWS - 1) await setImmediate();
  }
  const out = new Uint32Array(size);
  let o = 0;
  for (const [c, y] of classes.entries()) {
    const rows = rowsOf.get(y)!;
    const rng = createRng(seed, y);
    const k = quota[c]!;
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(rows.length - i);
      const tmp = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = tmp;
      out[o++] = rows[i]!;
      if (i % YIELD_ROWS === YIELD_ROWS - 1) await setImmediate();
    }
  }
  return out.sort();
}

/** size split over classes in proportion to their counts, by largest remainder (ties: the smaller class label first). */
function sharesOf(counts: number[], size: number): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * size) / n);
  const shares = exact.map(Math.floor);
  let left = size - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    shares[c]! += 1;
    left -= 1;
  }
  return shares;
}
