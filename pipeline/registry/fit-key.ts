import { createHash } from 'node:crypto';
import type { Pipeline } from '../../config/pipeline.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';

/** sha256 over ids, labels and values in row order: "trained on the same data" becomes checkable. */
export function fingerprintMatrix(m: FeatureMatrix): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(m.featureNames));
  h.update(m.ids.join('\n'));
  h.update(m.labels);
  for (const c of m.columns) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
}

/** JSON with object keys sorted, so the same recipe always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface FitKey {
  /** sha256 over the training rows (what model_versions.data_fingerprint records). */
  dataFingerprint: string;
  /** sha256 over everything the fit depends on: two runs with the same key fit the same model. */
  key: string;
}

/**
 * What a fit depends on: the training rows (fitted on), the validation rows (calibrated on, and
 * engine "auto" picks on them), the configured recipe (engine, seed, every parameter, and
 * model.maxTrainRows: the sample fitted on is a function of the training rows, the cap and the
 * seed, so a changed cap is a new fit), the metric "auto" picks by, and the feature names (inside
 * both fingerprints).
 */
export function fitKeyOf(
  pipeline: Pick<Pipeline, 'model' | 'promotion'>,
  train: FeatureMatrix,
  valid: FeatureMatrix,
): FitKey {
  const dataFingerprint = fingerprintMatrix(train);
  const key = createHash('sha256')
    .update(
      canonical({
        train: dataFingerprint,
        valid: fingerprintMatrix(valid),
        categorical: train.categorical,
        recipe: pipeline.model,
        selectedBy: pipeline.promotion.metric,
      }),
    )
    .digest('hex');
  return { dataFingerprint, key };
}
