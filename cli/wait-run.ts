import type { Db } from '../db/client.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { type RunSummary, runSummary } from '../ledger/run-summary.ts';
import type { Queues } from '../workflows/queues.ts';

const DONE = new Set(['succeeded', 'degraded', 'failed', 'cancelled']);

/**
 * Polls the ledger until the run ends, printing a line whenever a step changes state or moves
 * its progress by 10 points. Polling the ledger (not clocks) is what makes this safe across
 * worker restarts.
 */
export async function waitForRun(
  deps: { db: Db; queues: Queues },
  runKey: string,
  generation: number,
  opts: { timeoutMs: number; print: (line: string) => void; intervalMs?: number },
): Promise<RunSummary> {
  const deadline = Date.now() + opts.timeoutMs;
  const seen = new Map<string, string>();
  for (;;) {
    const summary = await runSummary(deps.db, runKey);
    if (!summary) throw new Error(`run ${runKey} is not in the ledger`);
    for (const s of summary.steps) {
      let progress = '';
      if (s.status === 'running') {
        const job = await deps.queues.queue(s.step).getJob(stepJobId(runKey, generation, s.step));
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
