/**
 * Quantile binning done once per training: every feature becomes ≤ maxBins small integers so
 * split search is a histogram pass instead of a sort per node (the main reason the forest is fast).
 * Bin 0 is reserved for missing (NaN); value bins are 1..cuts.length+1, with
 * bin(v) = 1 + #{cuts < v}, so "bin ≤ t" is exactly "v ≤ cuts[t-1]" on raw values.
 */
export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /** Column-major bins, feature f at [f*nRows, (f+1)*nRows); on a SharedArrayBuffer for worker threads. */
  bins: Uint8Array;
  /** Per feature: ascending cut points (midpoints between neighbouring distinct training values). */
  cuts: Float64Array[];
  /** Per feature: number of bins used, including the missing bin 0. */
  nBins: Int32Array;
}

/** Above this many values the cut points come from an evenly strided sample: sorting 1M × 22 is slow and quantiles barely move. */
const MAX_CUT_SAMPLE = 250_000;

export function computeCuts(column: Float64Array, maxBins: number): Float64Array {
  const maxValueBins = maxBins - 1;
  const stride = Math.max(1, Math.ceil(column.length / MAX_CUT_SAMPLE));
  const buf = new Float64Array(Math.ceil(column.length / stride));
  let n = 0;
  for (let i = 0; i < column.length; i += stride) {
    const v = column[i]!;
    if (v === v) buf[n++] = v;
  }
  const sorted = buf.subarray(0, n).sort();
  let nDistinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) nDistinct++;
  const mid = (a: number, b: number): number => {
    const m = a + (b - a) / 2;
    // Rounding can land the midpoint on b, which would put b in the lower bin.
    return m < b ? m : a;
  };
  const cuts: number[] = [];
  if (nDistinct <= maxValueBins) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) cuts.push(mid(sorted[i - 1]!, sorted[i]!));
  } else {
    // Greedy quantiles over runs of equal values: a heavy value (e.g. many zeros) keeps one bin.
    let k = 1;
    for (let j = 1; j < n && k < maxValueBins; j++) {
      if (sorted[j] === sorted[j - 1]) continue;
      // j rows lie at or below sorted[j - 1].
      if (j >= (k * n) / maxValueBins) {
        cuts.push(mid(sorted[j - 1]!, sorted[j]!));
        while (k < maxValueBins && j >= (k * n) / maxValueBins) k++;
      }
    }
  }
  return Float64Array.from(cuts);
}

/** Bin of one raw value against a feature's cuts (0 = missing). */
export function binOf(cuts: Float64Array, v: number): number {
  if (v !== v) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if ((cuts[m] as number) < v) lo = m + 1;
    else hi = m;
  }
  return lo + 1;
}

/**
 * Rows binned between two yields to the event loop (a few ms of work): on a loaded machine a slice
 * takes several times its CPU time in wall time, and the loop must come round well within a second.
 */
const ROWS_PER_SLICE = 1 << 15;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Bins every column, in slices, yielding to the event loop between them: binning a million rows × 22
 * features takes seconds of CPU, which on a worker's main thread would keep BullMQ from renewing
 * the job lock (the job is then redelivered while this process still trains it). Same result.
 */
export async function binColumns(
  columns: Float64Array[],
  nRows: number,
  maxBins: number,
): Promise<BinnedMatrix> {
  if (!(maxBins >= 3 && maxBins <= 256)) throw new RangeError(`maxBins must be in [3, 256], got ${maxBins}`);
  const nFeatures = columns.length;
  const bins = new Uint8Array(new SharedArrayBuffer(nRows * nFeatures));
  const cuts: Float64Array[] = [];
  const nBins = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const col = columns[f]!;
    const c = computeCuts(col, maxBins);
    await yieldToLoop();
    cuts.push(c);
    nBins[f] = c.length + 2;
    const off = f * nRows;
    for (let r0 = 0; r0 < nRows; r0 += ROWS_PER_SLICE) {
      await yieldToLoop();
      const r1 = Math.min(nRows, r0 + ROWS_PER_SLICE);
      for (let i = r0; i < r1; i++) bins[off + i] = binOf(c, col[i] as number);
    }
  }
  return { nRows, nFeatures, bins, cuts, nBins };
}
