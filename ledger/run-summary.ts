import { and, desc, eq } from 'drizzle-orm';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { modelVersions, pipelineRuns, stepRuns } from '../db/schema/index.ts';

export interface StepSummary {
  step: StepName;
  status: 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed';
  attempts: number;
  durationMs: number | null;
  rowsIn: number | null;
  rowsOut: number | null;
  rowsRejected: number | null;
  error: string | null;
  details: Record<string, unknown> | null;
}

export interface RunSummary {
  runKey: string;
  pipeline: string;
  businessDate: string;
  status: string;
  error: string | null;
  failedStep: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  steps: StepSummary[];
  metrics: Record<string, unknown> | null;
  /** The run's model: what it trained and validated on (split or time window, rows). */
  trainingWindow: unknown;
  modelVersion: number | null;
}

/** The ledger's view of one run: what `cpd status`, `cpd run --wait` and the report show. */
export async function runSummary(db: Db, runKey: string): Promise<RunSummary | undefined> {
  const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) return undefined;
  const attempts = await db
    .select()
    .from(stepRuns)
    .where(eq(stepRuns.runKey, runKey))
    .orderBy(desc(stepRuns.id));
  const steps = stepNames.map((step): StepSummary => {
    // Attempts are counted per generation: a rerun starts every step at attempt 1 again.
    const mine = attempts.filter((a) => a.step === step && a.generation === run.generation);
    const last = mine[0];
    return {
      step,
      status: last?.status ?? 'pending',
      attempts: mine.length,
      durationMs: last?.durationMs ?? null,
      rowsIn: last?.rowsIn ?? null,
      rowsOut: last?.rowsOut ?? null,
      rowsRejected: last?.rowsRejected ?? null,
      error: last?.status === 'failed' ? (last.error ?? null) : null,
      details: (last?.details as Record<string, unknown> | null | undefined) ?? null,
    };
  });
  const [model] = await db
    .select({
      id: modelVersions.id,
      metrics: modelVersions.metrics,
      trainingWindow: modelVersions.trainingWindow,
    })
    .from(modelVersions)
    .where(and(eq(modelVersions.runKey, runKey)));
  const metrics = model?.metrics ? (model.metrics as Record<string, unknown>) : null;
  return {
    runKey,
    pipeline: run.pipeline,
    businessDate: run.businessDate,
    status: run.status,
    error: run.error,
    failedStep: run.failedStep,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    steps,
    metrics,
    trainingWindow: model?.trainingWindow ?? null,
    modelVersion: model?.id ?? null,
  };
}
