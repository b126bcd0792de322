import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AbortError } from '../abort-error.ts';
import type { GrownTree, TreeData, TreeSettings } from './grow-tree.ts';
import { startThread, threadEntry } from './thread-entry.ts';

export interface TrainTreesOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Grows nTrees on worker threads that share the binned matrix (SharedArrayBuffer). Trees are
 * handed out one at a time so a slow thread never holds a queue; results land by tree index,
 * so the forest does not depend on the thread count or finishing order.
 */
export function trainTrees(
  /** The data, or a function making it: called after the threads are spawned, so binning overlaps their start-up. */
  input: TreeData | (() => TreeData | Promise<TreeData>),
  settings: TreeSettings,
  nTrees: number,
  seed: number,
  opts: TrainTreesOptions = {},
): Promise<GrownTree[]> {
  const { signal, onProgress } = opts;
  const threads = Math.max(1, Math.min(nTrees, opts.threads ?? availableParallelism()));
  const trees = new Array<GrownTree | undefined>(nTrees);
  return new Promise<GrownTree[]>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError('training aborted before it started', { cause: signal.reason }));
      return;
    }
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const wk of workers) void wk.terminate();
      if (err) reject(err);
      else resolve(trees as GrownTree[]);
    };
    const onAbort = (): void => finish(new AbortError('training aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });

    const entry = threadEntry('train-thread');
    for (let k = 0; k < threads; k++) {
      const wk = startThread(entry);
      workers.push(wk);
    }
    const start = (data: TreeData): void => {
      if (settled) return;
      workers.forEach((wk, k) => {
        // Typed arrays on a SharedArrayBuffer are shared, not copied, by postMessage.
        wk.postMessage({ init: { ...data, settings, seed } });
        const feed = (): void => {
          if (next < nTrees) wk.postMessage({ tree: next++ });
        };
        wk.on('message', (msg: { tree: number; grown: GrownTree }) => {
          if (settled) return;
          trees[msg.tree] = msg.grown;
          done++;
          onProgress?.(done, nTrees);
          if (done === nTrees) finish();
          else feed();
        });
        wk.on('error', (err) =>
          finish(new Error(`forest training thread ${k} failed: ${err.message}`, { cause: err })),
        );
        wk.on('exit', (code) => {
          if (!settled && code !== 0)
            finish(new Error(`forest training thread ${k} exited with code ${code}`));
        });
        feed();
      });
    };
    Promise.resolve()
      .then(() => (typeof input === 'function' ? input() : input))
      .then(start, (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
  });
}
