import { LoadWarningsError } from '../db/load-infile.ts';
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

/**
 * Server errors a retry cannot fix: the same statement on the same data fails the same way
 * (MySQL and MariaDB share these numbers). Retrying them only repeats the work before them,
 * e.g. re-fitting a forest to hit the same packet limit again.
 */
const PERMANENT_DB_ERRNOS = new Map<number, string>([
  [1048, 'a NOT NULL column got NULL'],
  [1049, 'unknown database'],
  [1052, 'ambiguous column'],
  [1054, 'unknown column'],
  [1064, 'SQL syntax error'],
  [1118, 'row too large'],
  [1136, 'column count does not match value count'],
  [1146, 'unknown table'],
  [1153, "packet bigger than the server's max_allowed_packet"],
  [1264, 'value out of range'],
  [1292, 'bad value'],
  [1301, "result larger than the server's max_allowed_packet"],
  [1364, 'column without default got no value'],
  [1365, 'division by zero'],
  [1366, 'bad value for column'],
  [1406, 'data too long for column'],
  [1525, 'bad value'],
  [1690, 'value out of range'],
  [3140, 'invalid JSON'],
  [3819, 'check constraint violated'],
  [4025, 'check constraint violated'],
]);

/** The server error somewhere in err's cause chain (Drizzle wraps mysql2's), if any. */
export function databaseErrno(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'number' && (e as { sqlMessage?: unknown }).sqlMessage !== undefined) return errno;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a database error is permanent (its kind in words), or undefined when a retry may help. */
export function permanentDatabaseError(err: unknown): string | undefined {
  const errno = databaseErrno(err);
  return errno === undefined ? undefined : PERMANENT_DB_ERRNOS.get(errno);
}

/**
 * Errors retrying cannot fix: ours, a dataset the model engine refuses (ml/ cannot import ours),
 * rows a bulk load stored with warnings, deterministic database errors.
 */
export function isPermanent(err: unknown): boolean {
  return (
    err instanceof PermanentError ||
    err instanceof DatasetError ||
    err instanceof LoadWarningsError ||
    permanentDatabaseError(err) !== undefined
  );
}

/** Longest piece of any value an error message may quote (a literal, a parameter, a blob). */
export const QUOTED_VALUE_MAX = 40;
const MESSAGE_MAX = 2000;
// A quote opens after a non-word character and closes before one, so "the step's … isn't" is prose, not a value.
const LONG_QUOTED = /(?<!\w)(['"`])((?:(?!\1)[^\\]|\\.){41,}?)\1(?!\w)/gs;
const LONG_TOKEN = /[^\s'"`]{81,}/g;

function shorten(value: string): string {
  return `${value.slice(0, QUOTED_VALUE_MAX)}…(${value.length} chars)`;
}

/**
 * An error's message fit to store, mail and print: bound parameters dropped (Drizzle's "params:"
 * line), every quoted literal and every long unbroken token (hex, base64, a blob) cut to
 * QUOTED_VALUE_MAX characters, the whole capped. A 19 MB model in a failed INSERT becomes its
 * first few dozen characters.
 */
export function boundedMessage(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const query = (err as { query?: unknown }).query;
    const params = (err as { params?: unknown }).params;
    if (typeof query === 'string' && Array.isArray(params)) {
      // Drizzle: "Failed query: <sql>\nparams: <every bound value>"; keep the SQL, never the values.
      const cause = err.cause instanceof Error ? err.cause.message : undefined;
      text = `${cause ?? 'query failed'} (query: ${query})`;
    } else text = err.message;
  } else text = String(err);
  // Only the head is read: the regexes never walk a multi-megabyte message.
  const bounded = text
    .slice(0, 64 * 1024)
    .replace(/\nparams: [\s\S]*$/, ' (parameters not shown)')
    .replace(LONG_QUOTED, (_m, q: string, inner: string) => `${q}${shorten(inner)}${q}`)
    .replace(LONG_TOKEN, (m) => shorten(m));
  return bounded.length > MESSAGE_MAX ? `${bounded.slice(0, MESSAGE_MAX)}…(message cut)` : bounded;
}

/** What to log for an error: its kind, codes and bounded message; never `sql`, params or a blob. */
export function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: boundedMessage(err) };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: boundedMessage(err),
    ...(typeof code === 'string' ? { code } : {}),
    ...(databaseErrno(err) !== undefined ? { errno: databaseErrno(err) } : {}),
    // Frames only: the stack's head repeats the raw message (with Drizzle's params line).
    stack: err.stack
      ?.split('\n')
      .filter((line) => line.startsWith('    at '))
      .slice(0, 8)
      .join('\n'),
  };
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST']);

/** The bytes a failed Drizzle statement sent (its SQL and bound values), or undefined when unknown. */
function statementBytes(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const query = (err as { query?: unknown }).query;
  const params = (err as { params?: unknown }).params;
  if (typeof query !== 'string' || !Array.isArray(params)) return undefined;
  let bytes = Buffer.byteLength(query);
  for (const p of params) {
    if (Buffer.isBuffer(p)) bytes += p.length;
    else if (typeof p === 'string') bytes += Buffer.byteLength(p);
    else if (p !== null && typeof p === 'object') bytes += Buffer.byteLength(JSON.stringify(p) ?? '');
    else bytes += 8;
  }
  return bytes;
}

function connectionReset(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RESET_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A server that refuses a too-big packet closes the connection, and the client often learns it
 * as a reset while still writing, before the server's error packet arrives. A reset on a statement
 * larger than the server's limit is that same permanent error; any other reset stays transient.
 */
export async function oversizedStatement(
  err: unknown,
  maxAllowedPacket: () => Promise<number>,
): Promise<PermanentError | undefined> {
  if (!connectionReset(err)) return undefined;
  const bytes = statementBytes(err);
  if (bytes === undefined) return undefined;
  const limit = await maxAllowedPacket().catch(() => undefined);
  if (limit === undefined || bytes <= limit) return undefined;
  return new PermanentError(
    `Got a packet bigger than 'max_allowed_packet' bytes: the statement carried about ${bytes} bytes, ` +
      `the server allows ${limit}; the server reset the connection while it was sent ` +
      `(${boundedMessage(err)}). Hint: store large values in chunks, or raise max_allowed_packet`,
    { cause: err },
  );
}
