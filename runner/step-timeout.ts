/** A step ran past its timeout from the pipeline file; retried like any transient error. */
export class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

export interface StepTimeout {
  /** Aborted when the worker asks (shutdown, cancel) or the timeout passes. */
  signal: AbortSignal;
  /** Runs the handler; a timeout turns its outcome (even a late success) into a StepTimeoutError. */
  run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/**
 * Times a step out by aborting its signal, then waits for the handler to return: the run-and-step
 * lock stays held until then, so a retry can never overlap a step that is still writing.
 */
export function stepTimeout(
  outer: AbortSignal | undefined,
  seconds: number | undefined,
  what: string,
): StepTimeout {
  const ac = new AbortController();
  const onOuter = () => ac.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  let fired = false;
  return {
    signal: ac.signal,
    async run(work) {
      const timer = seconds
        ? setTimeout(() => {
            fired = true;
            ac.abort(new StepTimeoutError(`${what} timed out after ${seconds}s`));
          }, seconds * 1000)
        : undefined;
      try {
        const result = await work(ac.signal);
        if (fired) throw new StepTimeoutError(`${what} timed out after ${seconds}s`);
        return result;
      } catch (err) {
        if (fired && !(err instanceof StepTimeoutError))
          throw new StepTimeoutError(`${what} timed out after ${seconds}s`, { cause: err });
        throw err;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onOuter);
      }
    },
  };
}
