import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { and, desc, eq } from 'drizzle-orm';
import { parsePipeline } from '../config/pipeline.ts';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { pipelineRuns, sourceFiles, stepRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { failedBeforeRestart, isActive, reopenedForRetry } from '../ledger/run-ledger.ts';
import { expandGlob } from '../pipeline/sources/file-source.ts';
import { sourceName } from '../pipeline/sources/source-name.ts';
import type { FlowOptions } from './nightly-flow.ts';
import type { Queues } from './queues.ts';
import { parseRunKey } from './run-key.ts';
import { startRun } from './start-run.ts';

export interface ResumeResult {
  runKey: string;
  /** 'retried': the failed step job was retried; 'restarted': a new generation from collect; 'nothing': nothing to do. */
  action: 'retried' | 'restarted' | 'nothing';
  fromStep: StepName | null;
  generation: number;
  reason: string;
}

/** Resume refused, with what the operator should do instead. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}

/**
 * Continues a failed run. If a source file changed since collect fingerprinted it (the operator
 * replaced a bad file), every step from collect on has stale inputs: the run restarts as a new
 * generation and the old one's waiting jobs are removed. Otherwise the failed step job of the
 * current generation is retried with a fresh attempt budget; its parents, waiting on it, follow.
 * A permanent failure with unchanged inputs would fail again, so it is refused unless `force`.
 */
export async function resumeRun(
  deps: { db: Db; queues: Queues; flowOptions: FlowOptions },
  runKey: string,
  opts: { force?: boolean } = {},
): Promise<ResumeResult> {
  const { db, queues } = deps;
  parseRunKey(runKey);
  const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) throw new ResumeError(`no run ${runKey} in the ledger`);
  const base = { runKey, generation: run.generation };
  if (run.status === 'succeeded' || run.status === 'degraded') {
    return {
      ...base,
      action: 'nothing',
      fromStep: null,
      reason: `the run already ${run.status}; to run it again: cpd run --pipeline FILE --date ${run.businessDate} --rerun`,
    };
  }
  if (run.status === 'cancelled')
    throw new ResumeError(`run ${runKey} was cancelled; start it again with cpd run --rerun`);

  const jobs = await Promise.all(
    stepNames.map(async (step) => ({
      step,
      job: await queues.queue(step).getJob(stepJobId(runKey, run.generation, step)),
    })),
  );
  const states = await Promise.all(
    jobs.map(async ({ step, job }) => ({ step, job, state: job ? await job.getState() : 'missing' })),
  );
  const stuck = states.find((s) => s.state !== 'completed');
  if (!stuck) return { ...base, action: 'nothing', fromStep: null, reason: 'every step job completed' };
  if (['active', 'waiting', 'delayed', 'prioritized'].includes(stuck.state)) {
    return {
      ...base,
      action: 'nothing',
      fromStep: stuck.step,
      reason: `step ${stuck.step} is already ${stuck.state === 'delayed' ? 'waiting for its next retry' : stuck.state}`,
    };
  }

  const changed = [...(await changedSources(db, runKey)), ...(await arrivedSources(db, runKey, run.params))];
  if (changed.length > 0 || stuck.state === 'missing') {
    const why = changed.length
      ? `inputs changed since collect: ${changed.join('; ')}`
      : `the job of step ${stuck.step} is missing from Redis`;
    return restart(deps, runKey, run.generation, run.params, why);
  }
  if (stuck.state !== 'failed' || !stuck.job)
    throw new ResumeError(`step ${stuck.step} is ${stuck.state}; nothing to retry`);

  const index = stepNames.indexOf(stuck.step);
  const [last] = await db
    .select()
    .from(stepRuns)
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, stuck.step)))
    .orderBy(desc(stepRuns.id))
    .limit(1);
  if (index > 0) {
    const previous = stepNames[index - 1]!;
    const [prev] = await db
      .select({ status: stepRuns.status })
      .from(stepRuns)
      .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, previous)))
      .orderBy(desc(stepRuns.id))
      .limit(1);
    if (prev?.status !== 'succeeded')
      throw new ResumeError(
        `inputs of ${stuck.step} are not complete (step ${previous} is ${prev?.status ?? 'not run'}): resume cannot start it`,
      );
  }
  if (last?.errorKind === 'permanent' && !opts.force) {
    throw new ResumeError(
      `step ${stuck.step} failed permanently and none of its input files changed, so it would fail again:\n  ${last.error ?? ''}\n` +
        'Fix the cause first (replace the bad file: resume then re-runs from collect), or pass --force if you fixed it elsewhere.',
    );
  }
  await reopenedForRetry(db, runKey, run.generation);
  // A fresh attempt budget: Bull Board's Retry gives exactly one attempt and no backoff.
  await stuck.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return {
    ...base,
    action: 'retried',
    fromStep: stuck.step,
    reason: `retried the failed step ${stuck.step}; the later steps follow`,
  };
}

/**
 * Runs a finished night again from collect as a new generation (the console's Rerun): the old
 * generation's unfinished jobs are removed first, as when resume restarts. An active run is refused.
 */
export async function rerunRun(
  deps: { db: Db; queues: Queues; flowOptions: FlowOptions },
  runKey: string,
): Promise<ResumeResult> {
  parseRunKey(runKey);
  const [run] = await deps.db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) throw new ResumeError(`no run ${runKey} in the ledger`);
  if (isActive(run.status))
    throw new ResumeError(`run ${runKey} is ${run.status}; cancel it first or wait for it to end`);
  return restart(deps, runKey, run.generation, run.params, 'rerun requested');
}

async function restart(
  deps: { db: Db; queues: Queues; flowOptions: FlowOptions },
  runKey: string,
  generation: number,
  params: unknown,
  why: string,
): Promise<ResumeResult> {
  // Top down: removing a parent first means no child removal can release it to run.
  for (const step of [...stepNames].reverse()) {
    const job = await deps.queues.queue(step).getJob(stepJobId(runKey, generation, step));
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active')
      throw new ResumeError(`step ${step} of ${runKey} is running; wait for it to end, then resume`);
    if (state !== 'completed') await job.remove({ removeChildren: false });
  }
  // The ledger says failed, so startRun's rerun applies; a ledger still 'running' is made failed first.
  await failedBeforeRestart(deps.db, runKey, generation);
  const pipeline = parsePipeline(params, `ledger ${runKey}`);
  const start = await startRun(deps, pipeline, parseRunKey(runKey).businessDate, { rerun: true });
  if (start.outcome !== 'rerun')
    throw new ResumeError(`run ${runKey} could not be restarted (status ${start.status})`);
  return {
    runKey,
    action: 'restarted',
    fromStep: 'collect',
    generation: start.generation,
    reason: `${why}: restarted from collect as generation ${start.generation}`,
  };
}

/** Source files whose bytes differ from what collect fingerprinted for the run. */
async function changedSources(db: Db, runKey: string): Promise<string[]> {
  const files = await db.select().from(sourceFiles).where(eq(sourceFiles.runKey, runKey));
  const changed: string[] = [];
  for (const f of files) {
    const now = await sha256Of(f.path).catch(() => undefined);
    if (!now) changed.push(`${f.path} is gone`);
    else if (now.sha256 !== f.sha256) changed.push(`${f.path} (${f.bytes} -> ${now.bytes} bytes)`);
  }
  return changed;
}

/**
 * File sources collect never fingerprinted (it failed because nothing matched) that match now: a
 * missing file that appeared counts as changed, so resume runs again from collect without --force.
 */
async function arrivedSources(db: Db, runKey: string, params: unknown): Promise<string[]> {
  const pipeline = parsePipeline(params, `ledger ${runKey}`);
  const rows = await db
    .select({ source: sourceFiles.source })
    .from(sourceFiles)
    .where(eq(sourceFiles.runKey, runKey));
  const recorded = new Set(rows.map((r) => r.source));
  const arrived: string[] = [];
  for (const [index, source] of pipeline.sources.entries()) {
    if (source.kind !== 'file' || recorded.has(sourceName(source, index))) continue;
    if ((await expandGlob(source.path)).length > 0) arrived.push(`${source.path} now exists`);
  }
  return arrived;
}

/** The same fingerprint collect records: sha256 of the file's bytes. */
async function sha256Of(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
