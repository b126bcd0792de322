import type { RunReportData } from './report-data.ts';

/** The run's figures as JSON, for whoever wants to chart or diff them outside the email. */
export function metricsJson(data: RunReportData): string {
  const payload = {
    pipeline: data.pipeline,
    businessDate: data.businessDate,
    runKey: data.runKey,
    status: data.status,
    headline: data.headline ?? null,
    baseRate: data.baseRate ?? null,
    metrics: data.metrics ?? null,
    validation: data.validation ?? null,
    modelDecision: data.modelDecision ?? null,
    drift: data.dataHealth?.drift ?? null,
    qualityChecks: data.dataHealth?.qualityChecks ?? null,
    stepDurations: data.stepDurations ?? null,
    failure: data.failure ?? null,
  };
  return `${JSON.stringify(payload, null, 2)}\n`;
}
