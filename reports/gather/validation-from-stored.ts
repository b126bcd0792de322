import type { ValidationFacts } from '../render/report-data.ts';

type Stored = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Stored | null => (v && typeof v === 'object' ? (v as Stored) : null);

/**
 * How tonight's model was validated, from its model_versions row: the split or time window and
 * its rows (training_window; metrics.trainSample when model.maxTrainRows sampled the training rows), every candidate engine's figure and the chosen one (the train step's
 * record), the calibration before/after and the k-fold CV (the evaluate step's). Parts the row
 * lacks are left out; no window at all means nothing to show.
 */
export function validationFromStored(
  metrics: Stored | null,
  window: Stored | null,
  trainRows: number,
): ValidationFacts | undefined {
  if (!window) return undefined;
  const snapshots = Array.isArray(window.snapshots) ? (window.snapshots as Stored[]) : [];
  const train = snapshots.filter((s) => s.role === 'train').map((s) => String(s.cutoff));
  const valid = snapshots.find((s) => s.role === 'valid');
  const facts: ValidationFacts = {
    split: valid
      ? {
          kind: 'time',
          trainCutoffs: train,
          validCutoff: String(valid.cutoff),
          validLabelEnd: valid.labelEnd === null ? null : String(valid.labelEnd),
        }
      : { kind: 'stratified', share: num(window.validationShare), seed: num(window.seed) },
    trainRows: num(window.trainRows) ?? trainRows,
    validRows: num(metrics?.validationRows) ?? num(window.validRows),
    selectedBy: typeof metrics?.selectedBy === 'string' ? metrics.selectedBy : null,
    candidates: (Array.isArray(metrics?.candidates) ? (metrics.candidates as Stored[]) : []).map((c) => ({
      engine: String(c.engine),
      value: num(c.value),
      rocAuc: num(obj(c.metrics)?.rocAuc),
      calibration: typeof c.calibration === 'string' ? c.calibration : null,
      chosen: c.chosen === true,
    })),
  };
  const cal = obj(metrics?.calibration);
  const sample = obj(metrics?.trainSample);
  const totalRows = num(sample?.totalRows);
  const maxTrainRows = num(sample?.maxTrainRows);
  if (totalRows !== null && maxTrainRows !== null)
    facts.trainSample = { totalRows, maxTrainRows, seed: num(sample?.seed) };
  if (cal && typeof cal.method === 'string')
    facts.calibration = {
      method: cal.method,
      eceBefore: num(cal.eceBefore),
      eceAfter: num(cal.eceAfter),
      brierBefore: num(cal.brierBefore),
      brierAfter: num(cal.brierAfter),
    };
  const cv = obj(metrics?.cv);
  const cvAuc = obj(cv?.rocAuc);
  if (cv && cvAuc) facts.cv = { folds: num(cv.folds) ?? 0, mean: num(cvAuc.mean), sd: num(cvAuc.sd) };
  return facts;
}
