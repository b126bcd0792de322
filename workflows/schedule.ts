import { CronExpressionParser } from 'cron-parser';
import cron from 'node-cron';
import { todayIn } from './run-key.ts';

/** One fire of a pipeline's cron, with what a DST transition does to it. */
export interface Fire {
  at: Date;
  /** Wall-clock time in the pipeline's zone, `YYYY-MM-DD HH:mm:ss`. */
  local: string;
  /** The business date the fire runs (its local date). */
  businessDate: string;
  /** 'gap': the wall-clock time does not exist that day; 'overlap': it happens twice. */
  dst: 'gap' | 'overlap' | null;
}

export class CronLintError extends Error {
  override name = 'CronLintError';
}

/**
 * Rejects cron strings that node-cron (which fires) and cron-parser (which plans and reconciles)
 * read differently: with both day-of-month and day-of-week restricted, node-cron wants both
 * (Friday the 13th) and cron-parser either (every Friday and every 13th). Then it cross-checks
 * the next fires, so any other disagreement is caught too.
 */
export function lintCron(expr: string, timeZone: string, from: Date = new Date()): void {
  if (!cron.validate(expr)) throw new CronLintError(`cron "${expr}" is not valid for node-cron`);
  let parsed;
  try {
    parsed = CronExpressionParser.parse(expr, { currentDate: from, tz: timeZone });
  } catch (err) {
    throw new CronLintError(`cron "${expr}" is not valid: ${(err as Error).message}`, { cause: err });
  }
  const fields = expr.trim().split(/\s+/);
  const [dom, dow] = fields.length === 6 ? [fields[3], fields[5]] : [fields[2], fields[4]];
  if (dom !== '*' && dom !== '?' && dow !== '*' && dow !== '?') {
    throw new CronLintError(
      `cron "${expr}" restricts both day-of-month (${dom}) and day-of-week (${dow}): node-cron fires when both match, ` +
        'cron-parser (used to plan and catch up) when either does. Use one of them, or two pipelines.',
    );
  }
  const task = cron.createTask(expr, () => undefined, { timezone: timeZone });
  try {
    for (let i = 0; i < 20; i++) {
      const at = parsed.next().toDate();
      // A fire shifted by a DST gap is flagged by `plan`, not a disagreement in meaning.
      if (!task.match(at) && dstAt(at, timeZone, expr) !== 'gap') {
        throw new CronLintError(
          `cron "${expr}": cron-parser fires at ${at.toISOString()} but node-cron would not`,
        );
      }
    }
  } finally {
    void task.destroy();
  }
}

/** The next `count` fires strictly after `from`. */
export function nextFires(expr: string, timeZone: string, from: Date, count: number): Fire[] {
  const it = CronExpressionParser.parse(expr, { currentDate: from, tz: timeZone });
  return Array.from({ length: count }, () => describeFire(expr, it.next().toDate(), timeZone));
}

/** Every fire in (after, until], oldest first, at most `limit` (the newest ones are kept). */
export function firesBetween(expr: string, timeZone: string, after: Date, until: Date, limit = 1000): Fire[] {
  const it = CronExpressionParser.parse(expr, { currentDate: until, tz: timeZone });
  const out: Fire[] = [];
  // cron-parser's prev() is strict, so a fire exactly at `until` is checked first.
  if (it.includesDate(until)) out.push(describeFire(expr, until, timeZone));
  while (out.length < limit && it.hasPrev()) {
    const at = it.prev().toDate();
    if (at.getTime() <= after.getTime()) break;
    out.push(describeFire(expr, at, timeZone));
  }
  return out.reverse();
}

export function describeFire(expr: string, at: Date, timeZone: string): Fire {
  return {
    at,
    local: localTime(at, timeZone),
    businessDate: todayIn(timeZone, at),
    dst: dstAt(at, timeZone, expr),
  };
}

/** `YYYY-MM-DD HH:mm:ss` in a time zone. */
export function localTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Offset of a zone from UTC at an instant, in minutes (Europe/London in summer: 60). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const local = localTime(at, timeZone);
  const asUtc = Date.parse(`${local.replace(' ', 'T')}Z`);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * Whether a fire sits at a DST transition. Overlap: the same wall-clock time also happens one
 * offset-change earlier or later (node-cron fires at both). Gap: the cron's wall-clock time does
 * not exist that day, so cron-parser moved the fire forward (node-cron does not fire at all).
 */
export function dstAt(at: Date, timeZone: string, expr: string): Fire['dst'] {
  const before = offsetMinutes(new Date(at.getTime() - 3 * 3_600_000), timeZone);
  const after = offsetMinutes(new Date(at.getTime() + 3 * 3_600_000), timeZone);
  if (before === after) return null;
  const shift = Math.abs(after - before) * 60_000;
  const local = localTime(at, timeZone);
  if (
    localTime(new Date(at.getTime() - shift), timeZone) === local ||
    localTime(new Date(at.getTime() + shift), timeZone) === local
  )
    return 'overlap';
  return CronExpressionParser.parse(expr, { tz: timeZone }).includesDate(at) ? null : 'gap';
}

/** The instant of wall-clock `HH:MM` on a date in a zone (for deadlines); a gap time moves forward. */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const naive = Date.parse(`${date}T${time}:00Z`);
  // Two passes converge for every real zone: the first guess may sit on the other side of a transition.
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
