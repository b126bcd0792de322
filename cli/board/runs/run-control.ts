import { eq } from 'drizzle-orm';
import type { Pool } from 'mysql2/promise';
import type { Db } from '../../../db/client.ts';
import { pipelineRuns } from '../../../db/schema/index.ts';
import { NothingToRollBackError, rollbackScores } from '../../../pipeline/publish/rollback-scores.ts';
import { cancelRun } from '../../../workflows/cancel-run.ts';
import type { FlowOptions } from '../../../workflows/nightly-flow.ts';
import type { Queues } from '../../../workflows/queues.ts';
import { rerunRun, ResumeError, resumeRun } from '../../../workflows/resume.ts';

/** A refused action, in words for the operator (the page shows it; HTTP 409). */
export class ActionRefusedError extends Error {
  override name = 'ActionRefusedError';
}

/** The console's run controls: the same workflows as `cpd resume`, `cpd run --rerun`, `cpd cancel`, `cpd rollback`. */
export interface RunControl {
  resume(runKey: string): Promise<string>;
  rerun(runKey: string): Promise<string>;
  cancel(runKey: string): Promise<string>;
  /** Restores the previous published scores of the run's pipeline. */
  rollback(runKey: string, actor: string): Promise<string>;
}

export function runControl(deps: {
  db: Db;
  pool: Pool;
  queues: Queues;
  flowOptions: FlowOptions;
}): RunControl {
  const refusedOn = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ResumeError || err instanceof NothingToRollBackError)
        throw new ActionRefusedError(err.message);
      throw err;
    }
  };
  return {
    resume: (runKey) => refusedOn(async () => (await resumeRun(deps, runKey)).reason),
    rerun: (runKey) => refusedOn(async () => (await rerunRun(deps, runKey)).reason),
    async cancel(runKey) {
      const r = await cancelRun(deps, runKey);
      if (!r.cancelled)
        throw new ActionRefusedError(r.status === null ? `no run ${runKey}` : `the run already ${r.status}`);
      return `cancelled; removed ${r.removed.length} waiting step jobs${r.running.length ? `; ${r.running.join(', ')} finishes first` : ''}`;
    },
    rollback: (runKey, actor) =>
      refusedOn(async () => {
        const [run] = await deps.db
          .select({ pipeline: pipelineRuns.pipeline })
          .from(pipelineRuns)
          .where(eq(pipelineRuns.runKey, runKey));
        if (!run) throw new ActionRefusedError(`no run ${runKey}`);
        const pipeline = run.pipeline;
        const conn = await deps.pool.getConnection();
        try {
          const r = await rollbackScores(deps.db, conn, pipeline, actor);
          return `${pipeline}: scores of ${r.restoredRunKey} restored (replacing ${r.replacedRunKey})`;
        } finally {
          conn.release();
        }
      }),
  };
}
