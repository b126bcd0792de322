import { availableParallelism } from 'node:os';
import { startThread, threadEntryAt } from '../../ml/forest/thread-entry.ts';
import { type ReasonWording, SpoolText, type TextSlice } from './spool-text.ts';

const ENTRY = new URL(
  `./spool-text-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/** Bundles the text thread's code now: a worker process calls it before it takes jobs. */
export function warmSpoolText(): void {
  threadEntryAt(ENTRY);
}

/** Turns scored slices into spool bytes, in the order asked. */
export interface TextWriter {
  lines(slice: TextSlice): Promise<Buffer>;
  close(): Promise<void>;
}

/** On the calling thread: small nights, where starting threads costs more than it saves. */
export function inlineText(wording: ReasonWording): TextWriter {
  const text = new SpoolText(wording);
  return { lines: async (slice) => text.lines(slice), close: async () => {} };
}

/**
 * The spool's text on `threads` worker threads: at a million customers, wording the reasons is
 * most of the score step's CPU, and on the main thread it left the other core idle. Slices go
 * round-robin; each thread answers in the order it was asked, so awaiting the promises in order
 * gives the lines in order.
 */
export function threadedText(wording: ReasonWording, threads = availableParallelism()): TextWriter {
  const entry = threadEntryAt(ENTRY);
  const pending: { resolve(b: Buffer): void; reject(e: Error): void }[][] = [];
  const workers = Array.from({ length: Math.max(1, threads) }, (_, i) => {
    const wk = startThread(entry);
    const queue: (typeof pending)[number] = [];
    pending.push(queue);
    const fail = (err: Error): void => {
      for (const p of queue.splice(0)) p.reject(err);
    };
    wk.on('message', (bytes: Uint8Array) =>
      queue.shift()?.resolve(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    );
    wk.on('error', (err) => fail(new Error(`spool text thread ${i} failed: ${err.message}`, { cause: err })));
    wk.on('exit', (code) => fail(new Error(`spool text thread ${i} exited with code ${code}`)));
    wk.postMessage({ wording });
    return wk;
  });
  let next = 0;
  return {
    lines(slice) {
      const i = next++ % workers.length;
      const transfer = [
        slice.scores.buffer,
        ...(slice.known ? [slice.known.buffer] : []),
        ...(slice.top
          ? [slice.top.features.buffer, slice.top.contributions.buffer, slice.top.values.buffer]
          : []),
        ...(slice.value ?? []).map((c) => c.buffer),
      ] as ArrayBuffer[];
      return new Promise<Buffer>((resolve, reject) => {
        pending[i]!.push({ resolve, reject });
        workers[i]!.postMessage({ slice }, transfer);
      });
    },
    async close() {
      await Promise.all(workers.map((wk) => wk.terminate()));
    },
  };
}
