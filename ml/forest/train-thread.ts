import { parentPort } from 'node:worker_threads';
import { createRng } from '../random.ts';
import type { TreeData, TreeSettings } from './grow-tree.ts';
import { growTree } from './grow-tree.ts';

/** Worker entry: grows the trees it is asked for, one message per tree, so threads share the load. */
interface ThreadData extends TreeData {
  settings: TreeSettings;
  seed: number;
}

if (!parentPort) throw new Error('train-thread must run as a worker thread');
const port = parentPort;
let data: ThreadData | undefined;

port.on('message', (msg: { init?: ThreadData; tree?: unknown }) => {
  if (msg.init) {
    if (!(msg.init.bins instanceof Uint8Array) || !(msg.init.labels instanceof Uint8Array))
      throw new Error('train-thread init without binned data');
    data = msg.init;
    return;
  }
  const tree = msg.tree;
  if (typeof tree !== 'number' || !data)
    throw new Error(`train-thread got ${JSON.stringify(msg)} before init or without a tree index`);
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
