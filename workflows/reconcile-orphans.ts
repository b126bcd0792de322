import { and, desc, eq } from 'drizzle-orm';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { runFailed } from '../ledger/run-ledger.ts';
import { notifyRunOutcome } from '../reports/alerts/notify-outcome.ts';
import type { Mailer } from '../reports/mailer.ts';
import { type FlowOptions, nightlyFlow } from './nightly-flow.ts';
import type { Queues } from './queues.ts';

export interface Orphan {
  runKey: string;
  generation: number;
  /** The first step not yet succeeded: the one that has no job to run it. */
  step: StepName;
}

/**
 * A running run whose current step (the first not succeeded in the ledger) has no job in Redis:
 * nothing will ever advance it (Redis lost its data, a key was deleted by hand). Undefined when
 * the run is not running or its job is there.
 */
export async function findOrphanStep(db: Db, queues: Queues, runKey: string): Promise<Orphan | undefined> {
  const [run] = await db
    .select({ status: pipelineRuns.status, generation: pipelineRuns.generation })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.runKey, runKey));
  if (run?.status !== 'running') return undefined;
  let step: StepName | undefined;
  for (const s of stepNames) {
    const [last] = await db
      .select({ status: stepRuns.status })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, s)))
      .orderBy(desc(stepRuns.id))
      .limit(1);
    if (last?.status !== 'succeeded') {
      step = s;
      break;
    }
  }
  if (!step) return undefined;
  const job = await queues.queue(step).getJob(stepJobId(runKey, run.generation, step));
  return job ? undefined : { runKey, generation: run.generation, step };
}

export interface ReconcilerDeps {
  db: Db;
  queues: Queues;
  flowOptions: FlowOptions;
  mailer: Mailer;
  config: Pick<Config, 'OPS_TO' | 'CPD_RECONCILE_MS' | 'CPD_RECONCILE_ACTION'>;
  log: Logger;
}

/**
 * One pass over the running runs. An orphan seen on two consecutive passes (so a job between
 * its removal and its re-creation by a resume is never mistaken for one) is repaired: its jobs
 * from the current step on are re-created with their deterministic ids (adding an existing id is
 * a no-op, so two schedulers repair once), or, with CPD_RECONCILE_ACTION=alert, the run is failed
 * with the reason; either way ops get one alert and the log says what was done.
 */
export async function reconcileOnce(deps: ReconcilerDeps, suspects: Map<string, string>): Promise<Orphan[]> {
  const running = await deps.db
    .select({ runKey: pipelineRuns.runKey })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.status, 'running'));
  const repaired: Orphan[] = [];
  const seen = new Set<string>();
  for (const { runKey } of running) {
    const orphan = await findOrphanStep(deps.db, deps.queues, runKey);
    if (!orphan) continue;
    const mark = `${orphan.generation}/${orphan.step}`;
    seen.add(runKey);
    if (suspects.get(runKey) !== mark) {
      suspects.set(runKey, mark);
      continue;
    }
    suspects.delete(runKey);
    const log = deps.log.child({ runKey, step: orphan.step });
    if (deps.config.CPD_RECONCILE_ACTION === 'recreate') {
      await deps.queues.flow.add(nightlyFlow(runKey, orphan.generation, deps.flowOptions, orphan.step));
      log.warn(
        { generation: orphan.generation },
        `orphaned run: no job for step ${orphan.step} in Redis; re-created the jobs from ${orphan.step} on`,
      );
    } else {
      await runFailed(
        deps.db,
        runKey,
        orphan.step,
        `no job left in Redis for this step (queue data lost or deleted); continue with: cpd resume ${runKey}`,
      );
      log.error('orphaned run: no job for its step in Redis; marked failed (CPD_RECONCILE_ACTION=alert)');
    }
    await notifyRunOutcome(deps, runKey, {
      kind: 'orphaned',
      step: orphan.step,
      action: deps.config.CPD_RECONCILE_ACTION === 'recreate' ? 'recreated' : 'flagged',
      detail: `jobs ${stepJobId(runKey, orphan.generation, orphan.step)} and the later steps`,
    });
    repaired.push(orphan);
  }
  for (const key of [...suspects.keys()]) if (!seen.has(key)) suspects.delete(key);
  return repaired;
}

/** Runs reconcileOnce every CPD_RECONCILE_MS (inside `cpd scheduler`, next to the deadline watchdog). */
export function startReconciler(deps: ReconcilerDeps): { close(): Promise<void> } {
  const suspects = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = reconcileOnce(deps, suspects)
      .then(() => undefined)
      .catch((err: unknown) => deps.log.warn({ err }, 'reconciler: pass failed; trying again next pass'))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, deps.config.CPD_RECONCILE_MS);
      });
  };
  timer = setTimeout(loop, deps.config.CPD_RECONCILE_MS);
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
