/** Rejection of a training stopped through its AbortSignal (name 'AbortError', like fetch's). */
export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'training aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}
