import { and, eq, inArray, sql } from 'drizzle-orm';
import { createDatabase } from '../../db/client.ts';
import { pipelineRuns } from '../../db/schema/index.ts';
import { stepNames } from '../../config/steps.ts';
import { stepJobId } from '../../workflows/nightly-flow.ts';
import { createQueues } from '../../workflows/queues.ts';
import { UsageError, type Command } from '../command.ts';

/**
 * `cpd cancel RUNKEY`: marks the run cancelled (the step runner refuses to start a step of a
 * cancelled run) and removes its jobs that are not running, latest step first so no removal
 * releases a parent. A step already running finishes; nothing after it runs.
 */
export const cancelCmd: Command = {
  name: 'cancel',
  usage: 'cpd cancel RUNKEY [--json]           stop a run: its waiting steps are removed, a running step is the last',
  options: { json: { type: 'boolean', default: false } },
  async run({ config, values, positionals, print }) {
    const runKey = positionals[0];
    if (!runKey) throw new UsageError('cpd cancel needs a RUNKEY (see cpd status)');
    const database = createDatabase(config.DATABASE_URL);
    const queues = createQueues(config);
    try {
      const { db } = database;
      const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
      if (!run) {
        print(values.json === true ? JSON.stringify({ runKey, cancelled: false, reason: 'no such run' }) : `no run ${runKey}`);
        return 1;
      }
      const [res] = await db
        .update(pipelineRuns)
        .set({ status: 'cancelled', error: sql`CONCAT('cancelled by operator', IF(error IS NULL, '', CONCAT(' after: ', error)))`, finishedAt: sql`CURRENT_TIMESTAMP(3)` })
        .where(and(eq(pipelineRuns.runKey, runKey), inArray(pipelineRuns.status, ['pending', 'running', 'failed'])));
      if ((res as unknown as { affectedRows: number }).affectedRows !== 1) {
        print(values.json === true ? JSON.stringify({ runKey, cancelled: false, reason: `run is ${run.status}` }) : `run ${runKey} is ${run.status}: nothing to cancel`);
        return 1;
      }
      const removed: string[] = [];
      const running: string[] = [];
      for (const step of [...stepNames].reverse()) {
        const job = await queues.queue(step).getJob(stepJobId(runKey, run.generation, step));
        if (!job) continue;
        const state = await job.getState();
        if (state === 'active') running.push(step);
        else if (state !== 'completed') {
          await job.remove({ removeChildren: false });
          removed.push(step);
        }
      }
      const out = { runKey, cancelled: true, removed, running };
      print(values.json === true ? JSON.stringify(out) : `run ${runKey} cancelled; removed waiting steps: ${removed.join(', ') || 'none'}${running.length ? `; still running (finishes, nothing follows): ${running.join(', ')}` : ''}`);
      return 0;
    } finally {
      await queues.close();
      await database.close();
    }
  },
};
