import type { RunSummary } from '../ledger/run-summary.ts';
import { formatStepLine } from './wait-run.ts';

export function summaryJson(s: RunSummary) {
  return {
    runKey: s.runKey,
    pipeline: s.pipeline,
    businessDate: s.businessDate,
    status: s.status,
    error: s.error,
    failedStep: s.failedStep,
    steps: s.steps.map((st) => ({
      step: st.step,
      status: st.status,
      attempts: st.attempts,
      durationMs: st.durationMs,
      rowsIn: st.rowsIn,
      rowsOut: st.rowsOut,
      rowsRejected: st.rowsRejected,
      error: st.error,
    })),
    metrics: s.metrics ? pickMetrics(s.metrics) : null,
    // How the figures were obtained: every candidate engine, calibration before/after, CV, rows,
    // and the split or time window they were measured on.
    validation: s.metrics
      ? {
          ...Object.fromEntries(
            ['candidates', 'selectedBy', 'calibration', 'cv', 'validationRows']
              .filter((k) => k in s.metrics!)
              .map((k) => [k, s.metrics![k]]),
          ),
          window: s.trainingWindow,
        }
      : null,
    modelVersion: s.modelVersion,
    modelReused: s.modelReused,
  };
}

function pickMetrics(m: Record<string, unknown>) {
  const keys = [
    'rocAuc',
    'prAuc',
    'accuracy',
    'precision',
    'recall',
    'f1',
    'threshold',
    'logLoss',
    'brier',
    'baseRate',
  ];
  return Object.fromEntries(keys.filter((k) => k in m).map((k) => [k, m[k]]));
}

export function printOutcome(s: RunSummary, print: (s: string) => void, withSteps = false): void {
  print(`run ${s.runKey}: ${s.status}${s.error ? ` — ${s.error}` : ''}`);
  if (withSteps) for (const st of s.steps) print(formatStepLine(st));
  const m = s.metrics ? pickMetrics(s.metrics) : {};
  const shown = Object.entries(m).map(([k, v]) => `${k}=${typeof v === 'number' ? v.toFixed(4) : String(v)}`);
  if (shown.length) print(`metrics: ${shown.join(' ')}`);
  if (s.modelVersion !== null)
    print(
      `model: v${s.modelVersion}${s.modelReused ? ' (reused: same data and parameters as the night that trained it)' : ''}`,
    );
}
