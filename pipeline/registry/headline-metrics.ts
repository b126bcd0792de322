import type { BinaryEvaluation } from '../../ml/metrics.ts';

export type HeadlineMetrics = Record<
  | 'rocAuc'
  | 'prAuc'
  | 'f1'
  | 'topDecileCapture'
  | 'logLoss'
  | 'brier'
  | 'accuracy'
  | 'precision'
  | 'recall'
  | 'threshold',
  number | null
>;

/** The comparable figures of an evaluation; NaN (undefined on these rows) becomes null, as JSON stores it. */
export function headlineMetrics(e: BinaryEvaluation): HeadlineMetrics {
  const n = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    rocAuc: n(e.rocAuc),
    prAuc: n(e.averagePrecision),
    f1: n(e.atThreshold.f1),
    topDecileCapture: n(e.topDecileCapture),
    logLoss: n(e.logLoss),
    brier: n(e.brier),
    accuracy: n(e.atThreshold.accuracy),
    precision: n(e.atThreshold.precision),
    recall: n(e.atThreshold.recall),
    threshold: n(e.atThreshold.threshold),
  };
}
