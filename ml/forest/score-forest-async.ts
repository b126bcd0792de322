import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AbortError } from '../abort-error.ts';
import type { TopContributions } from './explain-forest.ts';
import { scoreTopForest } from './explain-forest.ts';
import type { PredictLayout } from './predict-forest.ts';
import { checkColumns, predictForest } from './predict-forest.ts';
import { startThread, threadEntry } from './thread-entry.ts';

export interface ScoreOptions {
  /** Top reasons per row to compute (0 = probabilities only). */
  k?: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface ScoreResult {
  proba: Float64Array;
  top: TopContributions | null;
}

/** Below this many rows per thread, starting a thread costs more than it saves. */
const MIN_ROWS_PER_THREAD = 50_000;

const toShared = <T extends Int32Array | Uint8Array | Float64Array>(
  a: T,
  make: (b: SharedArrayBuffer) => T,
): T => {
  const s = make(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
};

/** The model's arrays on SharedArrayBuffers, made once per model: threads read them without copies. */
const sharedCache = new WeakMap<PredictLayout, { layout: PredictLayout; value: Float64Array }>();

function shared(layout: PredictLayout, value: Float64Array): { layout: PredictLayout; value: Float64Array } {
  const hit = sharedCache.get(layout);
  if (hit) return hit;
  const s = {
    layout: {
      nFeatures: layout.nFeatures,
      roots: toShared(layout.roots, (b) => new Int32Array(b)),
      node: toShared(layout.node, (b) => new Int32Array(b)),
      split: toShared(layout.split, (b) => new Float64Array(b)),
      missingLeft: toShared(layout.missingLeft, (b) => new Uint8Array(b)),
    },
    value: toShared(value, (b) => new Float64Array(b)),
  };
  sharedCache.set(layout, s);
  return s;
}

/** Scores rows on worker threads, each taking a contiguous slice; same numbers as the sync path. */
export async function scoreForestAsync(
  layout: PredictLayout,
  value: Float64Array,
  base: number,
  columns: Float64Array[],
  opts: ScoreOptions = {},
): Promise<ScoreResult> {
  const n = checkColumns(columns, layout.nFeatures);
  const k = Math.max(0, Math.min(opts.k ?? 0, layout.nFeatures));
  const threads = Math.max(
    1,
    Math.min(opts.threads ?? availableParallelism(), Math.floor(n / MIN_ROWS_PER_THREAD)),
  );
  if (opts.signal?.aborted) throw new AbortError('scoring aborted', { cause: opts.signal.reason });
  if (threads <= 1) {
    if (k === 0) return { proba: predictForest(layout, columns), top: null };
    const both = scoreTopForest(layout, value, columns, k, base);
    return { proba: both.proba!, top: both.top };
  }
  const s = shared(layout, value);
  const entry = threadEntry('score-thread');
  const bounds = Array.from({ length: threads + 1 }, (_, i) => Math.round((i * n) / threads));
  const workers: Worker[] = [];
  const onAbort = (): void => {
    for (const wk of workers) void wk.terminate();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parts = await Promise.all(
      bounds.slice(0, -1).map((b0, i) => {
        const b1 = bounds[i + 1]!;
        const wk = startThread(entry);
        workers.push(wk);
        const slice = columns.map((c) => c.slice(b0, b1));
        wk.postMessage(
          { ...s, base, columns: slice, k },
          slice.map((c) => c.buffer as ArrayBuffer),
        );
        return new Promise<ScoreResult>((resolve, reject) => {
          wk.once('message', (r: ScoreResult) => resolve(r));
          wk.once('error', (err) =>
            reject(new Error(`scoring thread ${i} failed: ${err.message}`, { cause: err })),
          );
          wk.once('exit', (code) =>
            reject(
              opts.signal?.aborted
                ? new AbortError('scoring aborted', { cause: opts.signal.reason })
                : new Error(`scoring thread ${i} exited with code ${code}`),
            ),
          );
        });
      }),
    );
    const proba = new Float64Array(n);
    const top: TopContributions | null =
      k > 0 ? { base, k, features: new Int32Array(n * k), contributions: new Float64Array(n * k) } : null;
    parts.forEach((p, i) => {
      const b0 = bounds[i]!;
      proba.set(p.proba, b0);
      if (top && p.top) {
        top.features.set(p.top.features, b0 * k);
        top.contributions.set(p.top.contributions, b0 * k);
      }
    });
    return { proba, top };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const wk of workers) void wk.terminate();
  }
}
