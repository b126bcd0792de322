import { parentPort } from 'node:worker_threads';
import { type ReasonWording, SpoolText, type TextSlice } from './spool-text.ts';

/**
 * Worker entry: turns scored slices into spool lines. The first message says how reasons are
 * worded; each later one is a slice, answered with its bytes (transferred) in the order received.
 */
if (!parentPort) throw new Error('spool-text-thread must run as a worker thread');
const port = parentPort;
let text: SpoolText | null = null;

port.on('message', (m: { wording: ReasonWording } | { slice: TextSlice }) => {
  if ('wording' in m) {
    text = new SpoolText(m.wording);
    return;
  }
  if (!text) throw new Error('spool-text-thread got a slice before its wording');
  const bytes = text.lines(m.slice);
  // A Buffer may view a shared pool: hand over a copy that owns its memory.
  const own =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(bytes);
  port.postMessage(own, [own.buffer as ArrayBuffer]);
});
