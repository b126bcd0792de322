import { and, eq, gte } from 'drizzle-orm';
import type { Logger } from '../config/logger.ts';
import type { Pipeline } from '../config/pipeline.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, scheduleTicks, type TickDecision } from '../db/schema/index.ts';
import type { FlowOptions } from './nightly-flow.ts';
import type { Queues } from './queues.ts';
import { runKeyOf } from './run-key.ts';
import { todayIn } from './run-key.ts';
import { addDays } from './schedule.ts';
import { type CatchUpItem, planCatchUp } from './schedule-catch-up.ts';
import { type StartResult, startRun } from './start-run.ts';

export interface SchedulerDeps {
  db: Db;
  queues: Queues;
  flowOptions: FlowOptions;
  log: Logger;
  /** host:pid, recorded with every decision. */
  scheduler: string;
  signal: AbortSignal;
  /** Called after each run start (e.g. to arm its deadline watchdog). */
  onStarted?(pipeline: Pipeline, start: StartResult): Promise<void>;
  pollMs?: number;
}

const FINISHED = new Set(['succeeded', 'degraded', 'failed', 'cancelled']);

/**
 * Applies the pipeline's catch-up policy for the nights missed up to `now`: skipped nights are
 * recorded, nights to run are started oldest first, each only after the previous one finished.
 * A failed night stops the backfill: the later ones would most likely fail the same way, and ops
 * get the failure alert; the next scheduler start or tick picks the rest up.
 */
export async function reconcile(deps: SchedulerDeps, pipeline: Pipeline, now: Date): Promise<CatchUpItem[]> {
  const since = addDays(todayIn(pipeline.schedule.timezone, now), -(pipeline.catchUp.maxDays + 2));
  const plan = planCatchUp(
    pipeline.schedule,
    pipeline.catchUp,
    now,
    await knownDates(deps.db, pipeline.name, since),
  );
  const log = deps.log.child({ pipeline: pipeline.name, policy: pipeline.catchUp.policy });
  if (plan.length)
    log.info({ missed: plan.map((p) => `${p.businessDate}:${p.action}`) }, 'catching up missed nights');
  for (const item of plan.filter((p) => p.action === 'skip')) {
    await recordTick(
      deps,
      pipeline.name,
      item.businessDate,
      item.fireAt,
      'skipped',
      null,
      `catch-up policy ${pipeline.catchUp.policy}`,
    );
  }
  for (const item of plan.filter((p) => p.action === 'run')) {
    if (deps.signal.aborted) break;
    const start = await startRun(deps, pipeline, item.businessDate);
    await recordTick(
      deps,
      pipeline.name,
      item.businessDate,
      item.fireAt,
      'catch-up',
      start.runKey,
      `${start.outcome}, policy ${pipeline.catchUp.policy}`,
    );
    await deps.onStarted?.(pipeline, start);
    const status = await waitFinished(deps, start.runKey);
    log.info({ runKey: start.runKey, status }, 'catch-up run finished');
    if (status !== 'succeeded' && status !== 'degraded') {
      log.warn({ runKey: start.runKey, status }, 'catch-up stopped: a missed night did not succeed');
      break;
    }
  }
  return plan;
}

/** A cron tick: start the tick's business date (idempotent) and record the decision. */
export async function tick(
  deps: SchedulerDeps,
  pipeline: Pipeline,
  fireAt: Date,
): Promise<StartResult | undefined> {
  const businessDate = todayIn(pipeline.schedule.timezone, fireAt);
  try {
    const start = await startRun(deps, pipeline, businessDate);
    await recordTick(
      deps,
      pipeline.name,
      businessDate,
      fireAt,
      start.outcome === 'existing' ? 'existing' : 'started',
      start.runKey,
      null,
    );
    deps.log.info({ runKey: start.runKey, outcome: start.outcome, fireAt }, 'tick');
    await deps.onStarted?.(pipeline, start);
    return start;
  } catch (err) {
    deps.log.error(
      { err, pipeline: pipeline.name, businessDate },
      'tick could not start the run; the next tick or scheduler start catches up',
    );
    await recordTick(
      deps,
      pipeline.name,
      businessDate,
      fireAt,
      'error',
      runKeyOf(pipeline.name, businessDate),
      (err as Error).message,
    ).catch(() => undefined);
    return undefined;
  }
}

async function knownDates(db: Db, pipeline: string, since: string): Promise<Set<string>> {
  const runs = await db
    .select({ d: pipelineRuns.businessDate })
    .from(pipelineRuns)
    .where(and(eq(pipelineRuns.pipeline, pipeline), gte(pipelineRuns.businessDate, since)));
  const skipped = await db
    .select({ d: scheduleTicks.businessDate })
    .from(scheduleTicks)
    .where(
      and(
        eq(scheduleTicks.pipeline, pipeline),
        eq(scheduleTicks.decision, 'skipped'),
        gte(scheduleTicks.businessDate, since),
      ),
    );
  return new Set([...runs, ...skipped].map((r) => r.d));
}

async function recordTick(
  deps: SchedulerDeps,
  pipeline: string,
  businessDate: string,
  fireAt: Date,
  decision: TickDecision,
  runKey: string | null,
  note: string | null,
) {
  await deps.db.insert(scheduleTicks).values({
    pipeline,
    businessDate,
    fireAt,
    decision,
    scheduler: deps.scheduler,
    runKey,
    note: note?.slice(0, 500) ?? null,
  });
}

/** Polls the ledger (not a clock) until the run ends or the caller is asked to stop. */
export async function waitFinished(
  deps: Pick<SchedulerDeps, 'db' | 'signal' | 'pollMs'>,
  runKey: string,
): Promise<string> {
  for (;;) {
    const [row] = await deps.db
      .select({ status: pipelineRuns.status })
      .from(pipelineRuns)
      .where(eq(pipelineRuns.runKey, runKey));
    if (row && FINISHED.has(row.status)) return row.status;
    if (deps.signal.aborted) return 'interrupted';
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 1_000));
  }
}
