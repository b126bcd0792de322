import type { MessagePort } from 'node:worker_threads';

/**
 * Working memory of one gbdt fit (row order, gradients, histogram slots) and the histogram pass.
 * With a helper thread (hist-thread.ts) it lives on SharedArrayBuffers and a node's histogram is
 * built by both threads at once, each over its own half of the features: every feature's sums
 * are still added by one thread in row order, so the model is the same for any thread count.
 */
export interface BoostTreeData {
  /** Row-major bins (row r's features at [r*nFeatures, (r+1)*nFeatures)): one cache line per row. */
  rowBins: Uint8Array;
  nRows: number;
  nFeatures: number;
  nBins: Int32Array;
}

/** Per bin: gradient sum, hessian sum, row count; 256 bins per feature whatever its nBins. */
export const STRIDE = 3;
export const FEATURE_STRIDE = 256 * STRIDE;
/** Below this many rows a node's histogram costs less than waking the helper (~0.1 ms of work). */
const MIN_SHARED_ROWS = 32768;
/** ctrl slots: request sequence, start, end, histogram slot, done sequence, quit flag. */
const SEQ = 0;
const START = 1;
const END = 2;
const SLOT = 3;
const DONE = 4;
export const QUIT = 5;

/** What the helper thread gets once: views on the same shared memory. */
export interface SharedHistJob {
  rowBins: Uint8Array;
  nFeatures: number;
  idx: Uint32Array;
  grad: Float64Array;
  hess: Float64Array;
  hists: Float64Array;
  ctrl: Int32Array;
  /** The helper builds features [split, nFeatures). */
  split: number;
}

/** Histogram of rows idx[start, end) over features [f0, f1): one pass over the rows. */
export function buildHistogram(
  rowBins: Uint8Array,
  nF: number,
  f0: number,
  f1: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  hist: Float64Array,
): void {
  hist.fill(0, f0 * FEATURE_STRIDE, f1 * FEATURE_STRIDE);
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const g = grad[r]!;
    const h = hess[r]!;
    const o = r * nF;
    for (let f = f0, fo = f0 * FEATURE_STRIDE; f < f1; f++, fo += FEATURE_STRIDE) {
      const k = fo + rowBins[o + f]! * STRIDE;
      hist[k]! += g;
      hist[k + 1]! += h;
      hist[k + 2]! += 1;
    }
  }
}

/** The helper's side: waits for a request, builds its features, says done; until told to quit. */
export function serveHistograms(job: SharedHistJob): void {
  const { rowBins, nFeatures, idx, grad, hess, hists, ctrl, split } = job;
  const len = nFeatures * FEATURE_STRIDE;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, SEQ, seen);
    if (Atomics.load(ctrl, QUIT) === 1) return;
    seen = Atomics.load(ctrl, SEQ);
    const slot = ctrl[SLOT]!;
    const hist = hists.subarray(slot * len, (slot + 1) * len);
    buildHistogram(rowBins, nFeatures, split, nFeatures, idx, ctrl[START]!, ctrl[END]!, grad, hess, hist);
    Atomics.store(ctrl, DONE, seen);
    Atomics.notify(ctrl, DONE);
  }
}

const shared = <T>(bytes: number, make: (b: ArrayBufferLike) => T, on: boolean): T =>
  make(on ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));

export class BoostWork {
  readonly data: BoostTreeData;
  readonly idx: Uint32Array;
  readonly scratch: Uint32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly histLength: number;
  private readonly hists: Float64Array;
  private readonly free: number[] = [];
  private readonly ctrl: Int32Array | null;
  private readonly split: number;

  /** slots: histograms alive at once at most (open leaves + 1). helper: the port of a hist-thread. */
  constructor(data: BoostTreeData, slots: number, helper: MessagePort | null) {
    const on = helper !== null;
    const n = data.nRows;
    const nF = data.nFeatures;
    this.histLength = nF * FEATURE_STRIDE;
    this.idx = shared(4 * n, (b) => new Uint32Array(b), on);
    this.scratch = new Uint32Array(n);
    this.grad = shared(8 * n, (b) => new Float64Array(b), on);
    this.hess = shared(8 * n, (b) => new Float64Array(b), on);
    this.hists = shared(8 * slots * this.histLength, (b) => new Float64Array(b), on);
    for (let s = slots - 1; s >= 0; s--) this.free.push(s);
    this.split = Math.ceil(nF / 2);
    let rowBins = data.rowBins;
    if (on && !(rowBins.buffer instanceof SharedArrayBuffer)) {
      rowBins = shared(rowBins.length, (b) => new Uint8Array(b), true);
      rowBins.set(data.rowBins);
    }
    this.data = { ...data, rowBins };
    this.ctrl = on && nF > 1 ? new Int32Array(new SharedArrayBuffer(4 * 8)) : null;
    if (helper && this.ctrl) {
      const job: SharedHistJob = {
        rowBins,
        nFeatures: nF,
        idx: this.idx,
        grad: this.grad,
        hess: this.hess,
        hists: this.hists,
        ctrl: this.ctrl,
        split: this.split,
      };
      helper.postMessage(job);
    }
  }

  take(): number {
    const s = this.free.pop();
    if (s === undefined)
      throw new Error('gbdt: out of histogram slots (a bug: open leaves exceed maxLeafNodes)');
    return s;
  }

  give(slot: number): void {
    if (slot >= 0) this.free.push(slot);
  }

  hist(slot: number): Float64Array {
    return this.hists.subarray(slot * this.histLength, (slot + 1) * this.histLength);
  }

  /** Builds the histogram of idx[start, end) into a slot, on both threads for a large node. */
  build(slot: number, start: number, end: number): void {
    const { rowBins, nFeatures: nF } = this.data;
    const hist = this.hist(slot);
    const ctrl = this.ctrl;
    if (!ctrl || end - start < MIN_SHARED_ROWS) {
      buildHistogram(rowBins, nF, 0, nF, this.idx, start, end, this.grad, this.hess, hist);
      return;
    }
    ctrl[START] = start;
    ctrl[END] = end;
    ctrl[SLOT] = slot;
    const seq = Atomics.add(ctrl, SEQ, 1) + 1;
    Atomics.notify(ctrl, SEQ);
    buildHistogram(rowBins, nF, 0, this.split, this.idx, start, end, this.grad, this.hess, hist);
    for (let d = Atomics.load(ctrl, DONE); d !== seq; d = Atomics.load(ctrl, DONE))
      Atomics.wait(ctrl, DONE, d);
  }

  /** Lets the helper thread return (it is also terminated by whoever started it). */
  close(): void {
    if (!this.ctrl) return;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }
}
