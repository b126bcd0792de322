import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** How to start a training thread: a JS file to load, or a bundled script to eval. */
export type ThreadEntry = { kind: 'file'; url: URL; entry: string } | { kind: 'eval'; code: string };

const cache = new Map<string, ThreadEntry>();

/** A worker thread running `entry` (its bundled code, or the tsx bootstrap and the entry's file). */
export function startThread(entry: ThreadEntry): Worker {
  return entry.kind === 'eval'
    ? new Worker(entry.code, { eval: true })
    : new Worker(entry.url, { workerData: { __entry: entry.entry } });
}

interface EsbuildLike {
  buildSync(opts: Record<string, unknown>): { outputFiles?: { text: string }[] };
}

/**
 * Workers cannot load .ts. Registering tsx inside each worker costs ~0.4 s (measured), longer
 * than training a forest on small data, so when running from source we bundle the thread's
 * few modules once per process with the esbuild that tsx itself depends on (~30 ms) and eval
 * it. If that fails, fall back to the thread-boot.mjs bootstrap that registers tsx.
 */
export type ThreadName = 'train-thread' | 'score-thread' | 'fit-thread' | 'metrics-thread' | 'hist-thread';

export function threadEntry(name: ThreadName): ThreadEntry {
  const hit = cache.get(name);
  if (hit) return hit;
  const entry = build(name);
  cache.set(name, entry);
  return entry;
}

/**
 * Bundles every thread entry now: a worker process calls it before it takes jobs, so the first
 * training or scoring of a job does not spend its event loop in esbuild (seconds on a loaded machine).
 */
export function warmThreadEntries(): void {
  for (const name of ['train-thread', 'score-thread', 'fit-thread', 'metrics-thread', 'hist-thread'] as const)
    threadEntry(name);
}

function build(name: string): ThreadEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  // The metrics thread serves any engine, so it lives beside ml/metrics.ts, not in forest/; the
  // boosting's histogram helper lives with the boosting.
  const dir = name === 'metrics-thread' ? '../' : name === 'hist-thread' ? '../boost/' : './';
  return bundle(new URL(`${dir}${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
}

const byUrl = new Map<string, ThreadEntry>();

/**
 * A thread entry outside ml (the score step's text threads): the module at `url` (.ts when
 * running from source, .js when built), bundled once per process like ml's own.
 */
export function threadEntryAt(url: URL): ThreadEntry {
  const hit = byUrl.get(url.href);
  if (hit) return hit;
  const entry = bundle(url);
  byUrl.set(url.href, entry);
  return entry;
}

function bundle(entryUrl: URL): ThreadEntry {
  const fromSource = entryUrl.pathname.endsWith('.ts');
  const boot: ThreadEntry = {
    kind: 'file',
    url: new URL('./thread-boot.mjs', import.meta.url),
    entry: entryUrl.href,
  };
  if (!fromSource) return boot;
  try {
    const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx'));
    const esbuild = requireFromTsx('esbuild') as EsbuildLike;
    const out = esbuild.buildSync({
      entryPoints: [fileURLToPath(entryUrl)],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
    });
    const code = out.outputFiles?.[0]?.text;
    return code ? { kind: 'eval', code } : boot;
  } catch {
    // No esbuild reachable: the tsx bootstrap is slower to start but equivalent.
    return boot;
  }
}
