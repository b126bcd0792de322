import { parentPort, workerData } from 'node:worker_threads';
import { createRng } from '../random.ts';
import { growTree } from './grow-tree.ts';
import type { TreeData, TreeSettings } from './grow-tree.ts';

/** Worker entry: grows the trees it is asked for, one message per tree, so threads share the load. */
interface ThreadData extends TreeData {
  settings: TreeSettings;
  seed: number;
}

const data = workerData as ThreadData;
if (!parentPort || !(data.bins instanceof Uint8Array) || !(data.labels instanceof Uint8Array)) {
  throw new Error('train-thread must run as a worker with binned data');
}
const port = parentPort;

port.on('message', (msg: unknown) => {
  const tree = (msg as { tree?: unknown }).tree;
  if (typeof tree !== 'number') throw new Error(`train-thread got a message without a tree index: ${JSON.stringify(msg)}`);
  // Each tree's randomness depends only on (seed, tree index): the forest is the same for any thread count.
  const grown = growTree(data, data.settings, createRng(data.seed, tree));
  port.postMessage({ tree, grown }, [
    grown.feature.buffer,
    grown.splitBin.buffer,
    grown.missingLeft.buffer,
    grown.left.buffer,
    grown.value.buffer,
    grown.gain.buffer,
  ] as ArrayBuffer[]);
});
