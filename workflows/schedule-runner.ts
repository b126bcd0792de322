import cron, { type ScheduledTask } from 'node-cron';
import type { Pipeline } from '../config/pipeline.ts';
import { reconcile, type SchedulerDeps, tick } from './catch-up.ts';
import { lintCron, nextFires } from './schedule.ts';

export interface RunningScheduler {
  /** Resolves when every pipeline's start-up catch-up has finished (or was interrupted). */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * One node-cron task per pipeline, in the pipeline's time zone. A tick only starts the run key
 * through startRun, so any number of scheduler processes and double fires give one run. On start,
 * the nights missed while no scheduler ran are reconciled by each pipeline's catch-up policy, as if
 * the time were `now` (a controllable clock for drills and tests).
 */
export function startScheduler(deps: SchedulerDeps, pipelines: Pipeline[], now: Date): RunningScheduler {
  for (const p of pipelines) lintCron(p.schedule.cron, p.schedule.timezone, now);
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  for (const pipeline of pipelines) {
    const gaps = nextFires(pipeline.schedule.cron, pipeline.schedule.timezone, now, 400).filter(
      (f) => f.dst === 'gap',
    );
    if (gaps.length) {
      deps.log.warn(
        { pipeline: pipeline.name, nights: gaps.map((g) => g.businessDate) },
        'cron falls in a DST gap on these nights: node-cron will not fire; run `cpd plan` and move the time',
      );
    }
    const task = cron.createTask(pipeline.schedule.cron, (ctx) => track(tick(deps, pipeline, ctx.date)), {
      timezone: pipeline.schedule.timezone,
      name: `cpd:${pipeline.name}`,
      // A slow tick (Redis briefly away) must not make the next one wait or pile up.
      noOverlap: true,
    });
    tasks.push(task);
  }
  const caughtUp = Promise.all(
    pipelines.map((p) =>
      track(reconcile(deps, p, now)).catch((err: unknown) =>
        deps.log.error({ err, pipeline: p.name }, 'catch-up failed; the next scheduler start tries again'),
      ),
    ),
  ).then(() => undefined);
  for (const t of tasks) void t.start();
  deps.log.info(
    {
      pipelines: pipelines.map(
        (p) => `${p.name} "${p.schedule.cron}" ${p.schedule.timezone} catch-up ${p.catchUp.policy}`,
      ),
    },
    'scheduler started',
  );
  return {
    caughtUp,
    async stop() {
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.allSettled([...inFlight]);
    },
  };
}
