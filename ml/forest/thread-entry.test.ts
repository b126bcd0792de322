import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { GrownTree } from './grow-tree.ts';
import { threadEntry } from './thread-entry.ts';

const tinyInit = (): Record<string, unknown> => {
  const n = 64;
  const bins = new Uint8Array(new SharedArrayBuffer(n));
  const labels = new Uint8Array(new SharedArrayBuffer(n));
  for (let i = 0; i < n; i++) {
    bins[i] = 1 + (i % 8);
    labels[i] = i % 8 >= 4 ? 1 : 0;
  }
  const settings = { maxDepth: 8, minSamplesLeaf: 1, mtry: 1, bootstrap: false, classWeight: [1, 1] };
  return { bins, labels, nRows: n, nFeatures: 1, nBins: Int32Array.of(10), settings, seed: 1 };
};

async function growOne(wk: Worker): Promise<GrownTree> {
  try {
    wk.postMessage({ init: tinyInit() });
    wk.postMessage({ tree: 0 });
    return await new Promise<GrownTree>((resolve, reject) => {
      wk.once('message', (m: { grown: GrownTree }) => resolve(m.grown));
      wk.once('error', reject);
    });
  } finally {
    await wk.terminate();
  }
}

describe('training thread entry', () => {
  it('runs bundled (the default from source)', async () => {
    const entry = threadEntry('train-thread');
    expect(entry.kind).toBe('eval');
    if (entry.kind !== 'eval') return;
    const tree = await growOne(new Worker(entry.code, { eval: true }));
    // One split at bin 4 separates the classes: root + 2 pure leaves.
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(Array.from(tree.value)).toEqual([0.5, 0, 1]);
  });

  it('runs through the tsx bootstrap fallback', async () => {
    const entry = new URL('./train-thread.ts', import.meta.url).href;
    const tree = await growOne(
      new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: { __entry: entry } }),
    );
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
  });
});
