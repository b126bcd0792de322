import { AbortError } from './abort-error.ts';

/** What can score rows: every Model, and the engines with a threaded scorer (hist, calibrated). */
export interface Predictor {
  predictProba(columns: Float64Array[]): Float64Array;
  predictProbaAsync?(columns: Float64Array[], opts?: PredictOptions): Promise<Float64Array>;
}

export interface PredictOptions {
  signal?: AbortSignal;
}

/**
 * From this many rows the forest's threaded scorer puts them on worker threads (2 threads × 50k
 * rows each, ml/forest/score-forest-async.ts); below it that scorer would run them here at once.
 */
const THREADED_MIN_ROWS = 100_000;
/**
 * Rows per slice when scoring on this thread: a few ms each (a 100-tree forest: ~5 ms per 4k rows);
 * on a loaded machine a slice takes several times its CPU time, and the loop must come round often.
 */
const SLICE_ROWS = 4_096;

/**
 * Probabilities that never block the caller's event loop for long, so a worker keeps renewing its
 * BullMQ job lock while hundreds of thousands of rows are scored: on worker threads when the
 * model has a threaded scorer and the input is large, else in slices with a yield between them.
 * Same numbers as predictProba (every engine scores each row on its own).
 */
export async function predictProbaOffThread(
  model: Predictor,
  columns: Float64Array[],
  opts: PredictOptions = {},
): Promise<Float64Array> {
  const n = columns[0]?.length ?? 0;
  if (typeof model.predictProbaAsync === 'function' && n >= THREADED_MIN_ROWS)
    return model.predictProbaAsync(columns, opts);
  return predictInSlices((cols) => model.predictProba(cols), columns, opts.signal);
}

/** `score` over row slices with a yield after each: what any engine can do without a thread. */
export async function predictInSlices(
  score: (columns: Float64Array[]) => Float64Array,
  columns: Float64Array[],
  signal?: AbortSignal,
): Promise<Float64Array> {
  const n = columns[0]?.length ?? 0;
  if (n <= SLICE_ROWS) return score(columns);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r += SLICE_ROWS) {
    if (signal?.aborted) throw new AbortError('scoring aborted', { cause: signal.reason });
    const end = Math.min(n, r + SLICE_ROWS);
    out.set(score(columns.map((c) => c.subarray(r, end))), r);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/** `map` over a long array in slices with a yield after each (e.g. a calibrator over a million scores). */
export async function mapInSlices(
  values: Float64Array,
  map: (v: number) => number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const out = new Float64Array(values.length);
  const step = SLICE_ROWS * 8;
  for (let r = 0; r < values.length; r += step) {
    if (signal?.aborted) throw new AbortError('scoring aborted', { cause: signal.reason });
    const end = Math.min(values.length, r + step);
    for (let i = r; i < end; i++) out[i] = map(values[i]!);
    if (end < values.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
