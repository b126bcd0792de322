import { eq } from 'drizzle-orm';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, type RunStatus } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { runCancelled } from '../ledger/run-ledger.ts';
import type { Queues } from './queues.ts';

export type CancelResult =
  | { cancelled: true; removed: StepName[]; running: StepName[] }
  /** `status` null: no such run; otherwise the run had already ended. */
  | { cancelled: false; status: RunStatus | null };

/**
 * Stops a run: it is marked cancelled (the step runner refuses to start a step of a cancelled
 * run) and its jobs that are not running are removed, latest step first so no removal releases a
 * parent. A step already running finishes; nothing after it runs.
 */
export async function cancelRun(deps: { db: Db; queues: Queues }, runKey: string): Promise<CancelResult> {
  const [run] = await deps.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) return { cancelled: false, status: null };
  if (!(await runCancelled(deps.db, runKey))) return { cancelled: false, status: run.status };
  const removed: StepName[] = [];
  const running: StepName[] = [];
  for (const step of [...stepNames].reverse()) {
    const job = await deps.queues.queue(step).getJob(stepJobId(runKey, run.generation, step));
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active') running.push(step);
    else if (state !== 'completed') {
      await job.remove({ removeChildren: false });
      removed.push(step);
    }
  }
  return { cancelled: true, removed, running };
}
