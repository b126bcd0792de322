import type { Job } from 'bullmq';
import type { Logger } from '../config/logger.ts';
import type { Db } from '../db/client.ts';
import { appendStepLogs, type AttemptKey } from '../ledger/step-logs.ts';
import { AttemptLogBuffer, attemptLogger } from './attempt-log.ts';

/** How often a running attempt's lines are written out, so the console shows a long step as it goes. */
const FLUSH_EVERY_MS = 2_000;

export interface AttemptLogSink {
  log: Logger;
  /** Writes the lines so far; never throws. Called before the attempt's outcome is recorded, so whoever sees the outcome can read its lines. */
  flush(): Promise<void>;
  /** Writes the remaining lines; never throws (a lost log line must not fail a step). */
  close(): Promise<void>;
}

/**
 * Captures one attempt's log lines and stores them in step_logs and on the BullMQ job (Bull
 * Board's Logs tab). Writes are chained in the background: the step never waits for them, only
 * the final close does, after the step's outcome is recorded.
 */
export function openAttemptLog(deps: { db: Db; log: Logger }, job: Job, key: AttemptKey): AttemptLogSink {
  const buffer = new AttemptLogBuffer();
  const log = attemptLogger(deps.log, buffer, {
    runKey: key.runKey,
    step: key.step,
    generation: key.generation,
    attempt: key.attempt,
    jobId: job.id,
  });
  let chain: Promise<void> = Promise.resolve();
  let warned = false;
  const flush = (final: boolean) => {
    const lines = buffer.drain(final);
    if (lines.length === 0) return chain;
    chain = chain.then(async () => {
      try {
        await appendStepLogs(deps.db, key, lines);
        await Promise.all(lines.map((l) => job.log(l.line)));
      } catch (err) {
        if (!warned)
          deps.log.warn({ err, runKey: key.runKey, step: key.step }, 'could not store the attempt log');
        warned = true;
      }
    });
    return chain;
  };
  const timer = setInterval(() => void flush(false), FLUSH_EVERY_MS);
  timer.unref();
  return {
    log,
    flush: () => flush(false),
    async close() {
      clearInterval(timer);
      await flush(true);
    },
  };
}
