/**
 * Repeat-purchase summaries as the BTYD models read them, one entry per customer:
 * x = repeat transactions (purchase days after the first; same-day orders count once),
 * tx = time of the last purchase and T = time of the cutoff, both from the first purchase, in
 * the caller's declared time unit. Customers with the same (x, tx, T) share every likelihood
 * and prediction term, so the models work on the distinct triples with their counts.
 */
export interface Histories {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
}

export interface GroupedHistories extends Histories {
  /** Customers sharing the triple. */
  count: Float64Array;
  /** For each customer of the input, its triple's index. */
  groupOf: Int32Array;
  customers: number;
}

export function groupHistories(h: Histories): GroupedHistories {
  const n = h.x.length;
  if (h.tx.length !== n || h.T.length !== n) throw new RangeError('x, tx and T must have the same length');
  const index = new Map<string, number>();
  const groupOf = new Int32Array(n);
  const xs: number[] = [];
  const txs: number[] = [];
  const Ts: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = h.x[i]!;
    const tx = h.tx[i]!;
    const T = h.T[i]!;
    if (!(x >= 0 && Number.isInteger(x) && tx >= 0 && T >= tx && (x > 0 || tx === 0)))
      throw new RangeError(
        `customer ${i}: not a repeat-purchase summary (x=${x}, tx=${tx}, T=${T}); need integer x >= 0, 0 <= tx <= T, tx = 0 when x = 0`,
      );
    const key = `${x}|${tx}|${T}`;
    let g = index.get(key);
    if (g === undefined) {
      g = xs.length;
      index.set(key, g);
      xs.push(x);
      txs.push(tx);
      Ts.push(T);
      counts.push(0);
    }
    counts[g]! += 1;
    groupOf[i] = g;
  }
  return {
    x: Float64Array.from(xs),
    tx: Float64Array.from(txs),
    T: Float64Array.from(Ts),
    count: Float64Array.from(counts),
    groupOf,
    customers: n,
  };
}
