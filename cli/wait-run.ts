import type { Db } from '../db/client.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { type RunSummary, runSummary } from '../ledger/run-summary.ts';
import type { Queues } from '../workflows/queues.ts';
import { findOrphanStep } from '../workflows/reconcile-orphans.ts';

const DONE = new Set(['succeeded', 'degraded', 'failed', 'cancelled']);
/** How often the waiting client asks Redis whether the current step still has a job. */
const ORPHAN_CHECK_MS = 5_000;

export class ReadRetryExhaustedError extends Error {
  override name = 'ReadRetryExhaustedError';
}

/**
 * Runs a read, retrying it across a short MySQL/Redis outage (a restart, a failover, a dropped
 * connection) for up to `budgetMs`, with one message when it starts failing and one when it
 * recovers. A waiting client (a cron wrapper around `cpd run --wait`) must not report a failure
 * that did not happen; past the budget it gives up with a plain message, never a stack trace.
 */
export async function readWithRetry<T>(
  what: string,
  read: () => Promise<T>,
  opts: { budgetMs: number; notice: (line: string) => void; intervalMs?: number },
): Promise<T> {
  let failingSince: number | undefined;
  for (;;) {
    try {
      const value = await read();
      if (failingSince !== undefined)
        opts.notice(`  reconnected after ${((Date.now() - failingSince) / 1000).toFixed(0)}s; carrying on`);
      return value;
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      const now = Date.now();
      if (failingSince === undefined) {
        failingSince = now;
        opts.notice(
          `  lost the connection while reading ${what} (${shortMessage(err)}); retrying for up to ${Math.round(opts.budgetMs / 1000)}s`,
        );
      }
      if (now - failingSince > opts.budgetMs)
        throw new ReadRetryExhaustedError(
          `could not read ${what} for ${Math.round(opts.budgetMs / 1000)}s: ${shortMessage(err)}. The run itself may still be going on: cpd status`,
        );
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1_000));
    }
  }
}

/** A lost or refused connection (retrying may help), as opposed to a wrong query or missing row. */
export function isConnectionError(err: unknown): boolean {
  // Drizzle wraps the driver's error ("Failed query: ...") with the real one as its cause.
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (isConnectionErrorItself(e)) return true;
  return false;
}

function isConnectionErrorItself(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; fatal?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (e.fatal === true) return true;
  if (
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|PROTOCOL_CONNECTION_LOST)$/.test(code)
  )
    return true;
  // 1053 server shutdown in progress, 1927 connection killed, 2006/2013 server gone / lost during query.
  if (typeof e.errno === 'number' && [1053, 1927, 2006, 2013].includes(e.errno)) return true;
  return (
    typeof e.message === 'string' &&
    /Connection is closed|Pool is closed|connection.*(lost|closed)/i.test(e.message)
  );
}

/** The driver's own message (under Drizzle's "Failed query: ..."), bounded. */
function shortMessage(err: unknown): string {
  let root = err;
  for (let depth = 0; depth < 5 && (root as { cause?: unknown })?.cause; depth++)
    root = (root as { cause: unknown }).cause;
  const m =
    root instanceof Error ? root.message || (root as { code?: string }).code || root.name : String(root);
  return m.length > 160 ? `${m.slice(0, 160)}...` : m;
}

/**
 * Polls the ledger until the run ends, printing a line whenever a step changes state or moves
 * its progress by 10 points. Polling the ledger (not clocks) is what makes this safe across
 * worker restarts; reads ride out short MySQL/Redis outages (`retryMs`); a run left with no job
 * for its current step (lost queue data) is said so, once, instead of waiting in silence.
 */
export async function waitForRun(
  deps: { db: Db; queues: Queues },
  runKey: string,
  generation: number,
  opts: {
    timeoutMs: number;
    print: (line: string) => void;
    /** Messages about the wait itself (outages, orphans): to stderr, also with --json. */
    notice?: (line: string) => void;
    retryMs?: number;
    intervalMs?: number;
  },
): Promise<RunSummary> {
  const deadline = Date.now() + opts.timeoutMs;
  const seen = new Map<string, string>();
  const notice = opts.notice ?? opts.print;
  const retry = { budgetMs: opts.retryMs ?? 120_000, notice };
  let nextOrphanCheck = Date.now() + ORPHAN_CHECK_MS;
  let orphanSaid = '';
  for (;;) {
    const summary = await readWithRetry('the run ledger', () => runSummary(deps.db, runKey), retry);
    if (!summary) throw new Error(`run ${runKey} is not in the ledger`);
    for (const s of summary.steps) {
      let progress = '';
      if (s.status === 'running') {
        const job = await readWithRetry(
          'the step job',
          () => deps.queues.queue(s.step).getJob(stepJobId(runKey, generation, s.step)),
          retry,
        );
        const p = typeof job?.progress === 'number' ? job.progress : 0;
        progress = ` ${Math.floor(p / 10) * 10}%`;
      }
      const state = `${s.status}${progress}#${s.attempts}`;
      if (s.status !== 'pending' && seen.get(s.step) !== state) {
        seen.set(s.step, state);
        opts.print(formatStepLine(s) + progress);
      }
    }
    if (DONE.has(summary.status)) return summary;
    if (Date.now() >= nextOrphanCheck) {
      nextOrphanCheck = Date.now() + ORPHAN_CHECK_MS;
      const orphan = await readWithRetry(
        'the queues',
        () => findOrphanStep(deps.db, deps.queues, runKey),
        retry,
      );
      if (orphan && orphanSaid !== orphan.step) {
        orphanSaid = orphan.step;
        notice(
          `  ! step ${orphan.step} has no job in Redis (queue data lost?): the scheduler's reconciler re-creates it (CPD_RECONCILE_MS), or run: cpd resume ${runKey}; still waiting`,
        );
      }
    }
    if (Date.now() > deadline)
      throw new Error(
        `run ${runKey} did not finish within ${Math.round(opts.timeoutMs / 1000)}s (status ${summary.status})`,
      );
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 400));
  }
}

export function formatStepLine(s: RunSummary['steps'][number]): string {
  const parts = [`  ${s.step.padEnd(9)} ${s.status.padEnd(9)}`];
  if (s.attempts > 1) parts.push(`attempt ${s.attempts}`);
  if (s.durationMs !== null && s.status !== 'running') parts.push(`${(s.durationMs / 1000).toFixed(1)}s`);
  if (s.rowsIn !== null) parts.push(`in ${s.rowsIn.toLocaleString('en-GB')}`);
  if (s.rowsOut !== null) parts.push(`out ${s.rowsOut.toLocaleString('en-GB')}`);
  if (s.rowsRejected) parts.push(`rejected ${s.rowsRejected.toLocaleString('en-GB')}`);
  if (s.error) parts.push(`error: ${s.error}`);
  return parts.join('  ');
}
