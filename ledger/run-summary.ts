import { desc, eq } from 'drizzle-orm';
import { type StepName, stepNames } from '../config/steps.ts';
import type { Db } from '../db/client.ts';
import { modelVersions, pipelineRuns, runModels, stepRuns } from '../db/schema/index.ts';

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
  /** The run's model as people read it: its version number within the pipeline (trained or reused). */
  modelVersion: number | null;
  /** The run reused an earlier version (same data and parameters) instead of fitting one. */
  modelReused: boolean;
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
  // The version the run used (run_models), else the one it trained (rows from before the link).
  const [linked] = await db
    .select({
      version: modelVersions.version,
      metrics: modelVersions.metrics,
      trainingWindow: modelVersions.trainingWindow,
      reused: runModels.reused,
    })
    .from(runModels)
    .innerJoin(modelVersions, eq(modelVersions.id, runModels.versionId))
    .where(eq(runModels.runKey, runKey));
  const [own] = linked
    ? []
    : await db
        .select({
          version: modelVersions.version,
          metrics: modelVersions.metrics,
          trainingWindow: modelVersions.trainingWindow,
        })
        .from(modelVersions)
        .where(eq(modelVersions.runKey, runKey));
  const model = linked ?? own;
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
    modelVersion: model?.version ?? null,
    modelReused: linked?.reused ?? false,
  };
}
