import pino, { type Logger } from 'pino';
import { logRedaction } from '../config/logger.ts';
import type { LogLine } from '../ledger/step-logs.ts';

/** At most this many lines are kept per attempt: a chatty loop must not fill the database. */
export const MAX_LINES_PER_ATTEMPT = 2_000;
/** A line longer than this is cut (a stack trace or a large value in a field). */
export const MAX_LINE_CHARS = 4_000;

/**
 * Secrets that field-path redaction cannot see, because they sit inside a string: credentials in
 * a URL (`mysql://user:secret@host`) and bearer tokens.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s@/"]+@/gi, '$1[redacted]@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]');
}

/**
 * Collects the JSON lines of one attempt in memory: bounded, redacted, numbered. Writing is a
 * push onto an array, so logging never waits on the database; the runner drains the lines to
 * step_logs in the background and once more when the attempt ends.
 */
export class AttemptLogBuffer {
  private pending: LogLine[] = [];
  private seq = 0;
  private dropped = 0;

  write(raw: string): void {
    if (this.seq >= MAX_LINES_PER_ATTEMPT) {
      this.dropped++;
      return;
    }
    this.pending.push(toLogLine(raw, this.seq++));
  }

  /** The lines written since the last drain (and, on the final drain, a note of the lines dropped). */
  drain(final = false): LogLine[] {
    const out = this.pending;
    this.pending = [];
    if (final && this.dropped > 0) {
      const msg = `${this.dropped} more lines of this attempt were not kept (limit ${MAX_LINES_PER_ATTEMPT})`;
      out.push({ seq: this.seq++, at: new Date(), level: 40, msg, line: JSON.stringify({ level: 40, msg }) });
      this.dropped = 0;
    }
    return out;
  }
}

function toLogLine(raw: string, seq: number): LogLine {
  const text = redactSecrets(raw.trimEnd());
  let level = 30;
  let msg = '';
  let at = new Date();
  try {
    const parsed = JSON.parse(text) as { level?: unknown; msg?: unknown; time?: unknown };
    if (typeof parsed.level === 'number') level = parsed.level;
    if (typeof parsed.msg === 'string') msg = parsed.msg;
    const time =
      typeof parsed.time === 'string' || typeof parsed.time === 'number' ? new Date(parsed.time) : at;
    if (!Number.isNaN(time.getTime())) at = time;
  } catch {
    msg = text;
  }
  const line = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (cut)` : text;
  return { seq, at, level, msg: msg.slice(0, 500), line };
}

/**
 * A logger for one attempt that writes where `parent` writes (same level, same bindings) and
 * also into `buffer`, from info up whatever the process's level, so the console has the story
 * of the attempt even when the worker logs only warnings.
 */
export function attemptLogger(
  parent: Logger,
  buffer: AttemptLogBuffer,
  bindings: Record<string, unknown>,
): Logger {
  const parentLevel = pino.levels.values[parent.level] ?? 30;
  const parentStream = (parent as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  const streams: pino.StreamEntry[] = [{ level: 'info', stream: { write: (s: string) => buffer.write(s) } }];
  if (parentStream && parent.level !== 'silent')
    streams.push({ level: parent.level as pino.Level, stream: parentStream });
  const level = parentLevel < 30 ? parent.level : 'info';
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: logRedaction },
    pino.multistream(streams),
  ).child({ ...parent.bindings(), ...bindings });
}
