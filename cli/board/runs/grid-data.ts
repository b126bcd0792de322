import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { type StepName, stepNames } from '../../../config/steps.ts';
import type { Db } from '../../../db/client.ts';
import { pipelineRuns, scheduleTicks, stepRuns } from '../../../db/schema/index.ts';

export type CellState = 'succeeded' | 'failed' | 'running' | 'waiting' | 'retrying' | 'pending';
export type NightState =
  'pending' | 'running' | 'succeeded' | 'degraded' | 'failed' | 'cancelled' | 'skipped';

export interface GridCell {
  step: StepName;
  state: CellState;
  /** Attempts of the run's current generation. */
  attempts: number;
  durationMs: number | null;
  error: string | null;
}

export interface GridNight {
  businessDate: string;
  state: NightState;
  runKey: string | null;
  generation: number;
  /** Started by the catch-up policy after the scheduler missed the night. */
  caughtUp: boolean;
  /** Why a night was skipped (from schedule_ticks), or the run's error. */
  note: string | null;
  durationMs: number | null;
  cells: GridCell[];
}

export interface PipelineGrid {
  pipeline: string;
  timezone: string;
  /** Oldest first, as the grid reads left to right. */
  nights: GridNight[];
}

/**
 * The nights x steps grid of every pipeline (or one): the latest `nights` business dates that
 * have a run or a scheduler decision, with each step's latest attempt of the run's generation.
 * Three queries per pipeline whatever the number of nights.
 */
export async function loadGrid(db: Db, opts: { pipeline?: string; nights: number }): Promise<PipelineGrid[]> {
  const names = opts.pipeline
    ? [opts.pipeline]
    : (await db.selectDistinct({ pipeline: pipelineRuns.pipeline }).from(pipelineRuns))
        .map((r) => r.pipeline)
        .concat(
          (await db.selectDistinct({ pipeline: scheduleTicks.pipeline }).from(scheduleTicks)).map(
            (r) => r.pipeline,
          ),
        );
  const grids: PipelineGrid[] = [];
  for (const pipeline of [...new Set(names)].sort())
    grids.push(await pipelineGrid(db, pipeline, opts.nights));
  return grids;
}

async function pipelineGrid(db: Db, pipeline: string, nights: number): Promise<PipelineGrid> {
  const runs = await db
    .select({
      runKey: pipelineRuns.runKey,
      businessDate: pipelineRuns.businessDate,
      status: pipelineRuns.status,
      generation: pipelineRuns.generation,
      error: pipelineRuns.error,
      params: pipelineRuns.params,
      startedAt: pipelineRuns.startedAt,
      finishedAt: pipelineRuns.finishedAt,
    })
    .from(pipelineRuns)
    .where(eq(pipelineRuns.pipeline, pipeline))
    .orderBy(desc(pipelineRuns.businessDate))
    .limit(nights);
  const oldestRun = runs.at(-1)?.businessDate;
  const ticks = await db
    .select({
      businessDate: scheduleTicks.businessDate,
      decision: scheduleTicks.decision,
      note: scheduleTicks.note,
    })
    .from(scheduleTicks)
    .where(
      and(
        eq(scheduleTicks.pipeline, pipeline),
        inArray(scheduleTicks.decision, ['skipped', 'catch-up']),
        runs.length >= nights && oldestRun ? gte(scheduleTicks.businessDate, oldestRun) : undefined,
      ),
    );
  const attempts = runs.length
    ? await db
        .select({
          runKey: stepRuns.runKey,
          step: stepRuns.step,
          generation: stepRuns.generation,
          status: stepRuns.status,
          durationMs: stepRuns.durationMs,
          error: stepRuns.error,
        })
        .from(stepRuns)
        .where(
          inArray(
            stepRuns.runKey,
            runs.map((r) => r.runKey),
          ),
        )
        .orderBy(stepRuns.id)
    : [];
  const byRun = new Map<string, typeof attempts>();
  for (const a of attempts) {
    const list = byRun.get(a.runKey) ?? [];
    list.push(a);
    byRun.set(a.runKey, list);
  }
  const nightsByDate = new Map<string, GridNight>();
  let timezone = 'UTC';
  for (const run of runs) {
    const tz = (run.params as { schedule?: { timezone?: string } } | null)?.schedule?.timezone;
    if (tz && timezone === 'UTC') timezone = tz;
    const mine = (byRun.get(run.runKey) ?? []).filter((a) => a.generation === run.generation);
    const cells = stepNames.map((step): GridCell => {
      const stepAttempts = mine.filter((a) => a.step === step);
      const last = stepAttempts.at(-1);
      const state: CellState = !last
        ? 'pending'
        : last.status === 'failed' && (run.status === 'running' || run.status === 'pending')
          ? 'retrying'
          : last.status;
      return {
        step,
        state,
        attempts: stepAttempts.length,
        durationMs: stepAttempts.reduce((sum, a) => sum + (a.durationMs ?? 0), 0) || null,
        error: last?.status === 'failed' ? (last.error ?? null) : null,
      };
    });
    nightsByDate.set(run.businessDate, {
      businessDate: run.businessDate,
      state: run.status,
      runKey: run.runKey,
      generation: run.generation,
      caughtUp: false,
      note: run.error,
      durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
      cells,
    });
  }
  for (const t of ticks) {
    const night = nightsByDate.get(t.businessDate);
    if (night) {
      if (t.decision === 'catch-up') night.caughtUp = true;
    } else if (t.decision === 'skipped') {
      nightsByDate.set(t.businessDate, {
        businessDate: t.businessDate,
        state: 'skipped',
        runKey: null,
        generation: 0,
        caughtUp: false,
        note: t.note,
        durationMs: null,
        cells: [],
      });
    }
  }
  const ordered = [...nightsByDate.values()]
    .sort((a, b) => (a.businessDate < b.businessDate ? 1 : -1))
    .slice(0, nights)
    .reverse();
  return { pipeline, timezone, nights: ordered };
}
