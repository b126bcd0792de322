// Plain-JS bootstrap: a Worker cannot load a .ts entry even when the parent runs under tsx,
// so register tsx's loader inside the worker first, then import the real entry.
import { workerData } from 'node:worker_threads';
if (workerData.__entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.__entry);
