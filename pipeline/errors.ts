import { DatasetError } from '../ml/dataset.ts';

/** Where in the input a problem is, so an operator can open the file at the right line. */
export interface InputLocation {
  source?: string;
  line?: number;
  column?: string;
}

/**
 * An error that retrying cannot fix: bad data, a violated contract, a missing column.
 * The step runner maps it to BullMQ's UnrecoverableError, so it fails the run at once.
 */
export class PermanentError extends Error {
  override name = 'PermanentError';
  readonly location: InputLocation;

  constructor(message: string, options: { cause?: unknown } & InputLocation = {}) {
    const { cause, ...location } = options;
    super(message, { cause });
    this.location = location;
  }
}

/** The step's inputs are not complete (an upstream step has not succeeded): never run on stale data. */
export class InputsNotReadyError extends PermanentError {
  override name = 'InputsNotReadyError';
}

/** Errors retrying cannot fix: ours, and a dataset the model engine refuses (ml/ cannot import ours). */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || err instanceof DatasetError;
}
