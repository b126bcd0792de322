import type { LiftRow, ModelMetrics } from '../render/report-data.ts';

type Stored = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const numOr = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const list = (v: unknown): Stored[] =>
  Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Stored[]) : [];

/**
 * model_versions.metrics (what jobs/evaluate.ts stores: evaluateBinary flattened with the
 * threshold metrics, prAuc, baseRate, featureImportance, validationRows) as the report's
 * ModelMetrics. Unknown or missing parts are left out; a NaN AUC (stored as null) stays NaN and
 * prints as "n/a".
 */
export function metricsFromStored(stored: Stored): { metrics: ModelMetrics; baseRate?: number } {
  const at = (stored.atThreshold ?? {}) as Stored;
  const confusion = (stored.confusion ?? at.confusion ?? {}) as Stored;
  const lift: LiftRow[] = list(stored.lift).map((r) => ({
    decile: num(r.decile),
    rows: num(r.rows),
    positives: num(r.positives),
    rate: num(r.rate),
    lift: num(r.lift),
    cumulativeGain: num(r.cumulativeCapture ?? r.cumulativeGain),
  }));
  const metrics: ModelMetrics = {
    accuracy: num(stored.accuracy ?? at.accuracy),
    precision: num(stored.precision ?? at.precision),
    recall: num(stored.recall ?? at.recall),
    f1: num(stored.f1 ?? at.f1),
    threshold: num(stored.threshold ?? at.threshold),
    rocAuc: num(stored.rocAuc),
    prAuc: num(stored.prAuc ?? stored.averagePrecision),
    logLoss: num(stored.logLoss),
    brier: num(stored.brier),
    confusion: { tp: num(confusion.tp), fp: num(confusion.fp), tn: num(confusion.tn), fn: num(confusion.fn) },
    roc: list(stored.roc).map((p) => ({ fpr: num(p.fpr), tpr: num(p.tpr) })),
    pr: list(stored.pr).map((p) => ({ recall: num(p.recall), precision: num(p.precision) })),
    lift,
    calibration: list(stored.calibration)
      .filter((b) => num(b.count ?? b.rows) > 0)
      .map((b) => ({
        bin: typeof b.bin === 'string' ? b.bin : `${num(b.lower).toFixed(1)}-${num(b.upper).toFixed(1)}`,
        rows: num(b.count ?? b.rows),
        meanPredicted: num(b.meanPredicted),
        observedRate: num(b.observedRate),
      })),
    featureImportance: list(stored.featureImportance).map((f) => ({
      feature: String(f.feature),
      importance: num(f.importance),
    })),
  };
  const evaluatedRows = numOr(stored.validationRows ?? stored.rows);
  if (evaluatedRows !== undefined) metrics.evaluatedRows = evaluatedRows;
  const capture = numOr(stored.topDecileCapture);
  if (capture !== undefined) metrics.topDecileCapture = capture;
  const baseRate = numOr(stored.baseRate ?? stored.prevalence);
  return baseRate === undefined ? { metrics } : { metrics, baseRate };
}
