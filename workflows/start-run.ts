import { eq } from 'drizzle-orm';
import type { Pipeline } from '../config/pipeline.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, type RunStatus } from '../db/schema/index.ts';
import { createRun, isActive, rerunAsNewGeneration } from '../ledger/run-ledger.ts';
import { type FlowOptions, nightlyFlow } from './nightly-flow.ts';
import type { Queues } from './queues.ts';
import { runKeyOf } from './run-key.ts';

export interface StartResult {
  runKey: string;
  generation: number;
  /** 'started': new run; 'rerun': an explicit rerun of a finished run; 'existing': nothing new was started. */
  outcome: 'started' | 'rerun' | 'existing';
  status: RunStatus;
}

/**
 * The one way a run starts (CLI, scheduler, backfill). The unique ledger row decides who starts
 * it, and job ids are derived from run key and generation, so double fires, concurrent schedulers
 * and restarts all end in exactly one flow. `rerun` restarts a finished run as a new generation;
 * it never interrupts one in progress.
 */
export async function startRun(
  deps: { db: Db; queues: Queues; flowOptions: FlowOptions },
  pipeline: Pipeline,
  businessDate: string,
  opts: { rerun?: boolean } = {},
): Promise<StartResult> {
  const { db, queues } = deps;
  const runKey = runKeyOf(pipeline.name, businessDate);
  const created = await createRun(db, runKey, businessDate, pipeline);
  let [row] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!row) throw new Error(`ledger row for ${runKey} missing right after insert`);
  let outcome: StartResult['outcome'] = created ? 'started' : 'existing';

  if (!created && opts.rerun && !isActive(row.status)) {
    if (await rerunAsNewGeneration(db, runKey, row.generation, pipeline)) outcome = 'rerun';
    [row] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
    if (!row) throw new Error(`ledger row for ${runKey} vanished`);
  }
  // Adding the flow again for a pending run is safe (same job ids): it heals a start that crashed
  // between the ledger insert and the flow add.
  if (outcome !== 'existing' || row.status === 'pending') {
    await queues.flow.add(nightlyFlow(runKey, row.generation, deps.flowOptions));
  }
  return { runKey, generation: row.generation, outcome, status: row.status };
}
