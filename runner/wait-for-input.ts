/** A source's sensor: how often to look for a late input and how long to wait before failing. */
export interface SourceWait {
  pokeSeconds: number;
  timeoutMinutes: number;
}

/**
 * Thrown by a step whose input is not there yet but may still come: the runner records the
 * attempt as waiting and moves the job to BullMQ's delayed set until `untilMs`, so no worker slot
 * is held while waiting and no attempt is spent.
 */
export class WaitForInputError extends Error {
  override name = 'WaitForInputError';
  constructor(
    readonly waitingFor: string,
    readonly untilMs: number,
  ) {
    super(`waiting for ${waitingFor}`);
  }
}

/** Whether to look again (and when) or give up: time-outs are measured from the first look. */
export function nextPoke(
  wait: SourceWait,
  waitingSinceMs: number,
  nowMs: number,
): { kind: 'poke'; untilMs: number } | { kind: 'timeout'; waitedMinutes: number } {
  const deadline = waitingSinceMs + wait.timeoutMinutes * 60_000;
  if (nowMs >= deadline) return { kind: 'timeout', waitedMinutes: wait.timeoutMinutes };
  // The last look happens at the deadline itself, never after it.
  return { kind: 'poke', untilMs: Math.min(nowMs + wait.pokeSeconds * 1_000, deadline) };
}
