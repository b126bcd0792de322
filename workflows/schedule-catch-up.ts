import type { CatchUp } from '../config/pipeline.ts';
import { firesBetween } from './schedule.ts';

export interface CatchUpItem {
  businessDate: string;
  /** The missed cron slot (the latest, when a date had several). */
  fireAt: Date;
  action: 'run' | 'skip';
}

/**
 * Which missed nights to run and which to skip, oldest first. A night is missed when a cron slot
 * within the last `maxDays` days, up to `now`, has a business date later than every date the
 * ledger knows (runs and earlier skip decisions): nights before the last known one were handled
 * or deliberately not run. Pure: the clock and the ledger are passed in.
 */
export function planCatchUp(
  schedule: { cron: string; timezone: string },
  catchUp: CatchUp,
  now: Date,
  known: ReadonlySet<string>,
): CatchUpItem[] {
  const windowStart = new Date(now.getTime() - catchUp.maxDays * 86_400_000);
  const latestKnown = [...known].sort().at(-1) ?? '';
  const byDate = new Map<string, Date>();
  for (const fire of firesBetween(schedule.cron, schedule.timezone, windowStart, now)) {
    if (fire.businessDate > latestKnown) byDate.set(fire.businessDate, fire.at);
  }
  const missed = [...byDate.entries()]
    .map(([businessDate, fireAt]) => ({ businessDate, fireAt }))
    .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
  return missed.map((m, i) => ({
    ...m,
    action:
      catchUp.policy === 'backfill' || (catchUp.policy === 'latest' && i === missed.length - 1)
        ? 'run'
        : 'skip',
  }));
}
