/**
 * Runs `work` while a 10 ms timer ticks on this thread: its result, the longest gap between ticks
 * (how long this event loop was blocked) and the wall time, in ms.
 */
export async function withLoopGap<T>(
  work: () => Promise<T>,
): Promise<{ result: T; maxGapMs: number; wallMs: number }> {
  const started = performance.now();
  let last = started;
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    const end = performance.now();
    return { result, maxGapMs: Math.max(maxGapMs, end - last), wallMs: end - started };
  } finally {
    clearInterval(timer);
  }
}
