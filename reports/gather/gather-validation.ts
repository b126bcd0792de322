import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { ValidationFacts } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';
import { validationFromStored } from './validation-from-stored.ts';

/** How the run's model (trained, or reused from an earlier run) was validated (model card), if training got that far. */
export async function gatherValidation(pool: Pool, runKey: string): Promise<ValidationFacts | undefined> {
  const [row] = await queryRows<{ metrics: unknown; training_window: unknown; train_rows: number }>(
    pool,
    `SELECT metrics, training_window, train_rows FROM model_versions
      WHERE id = COALESCE((SELECT version_id FROM run_models WHERE run_key = ?),
                          (SELECT id FROM model_versions WHERE run_key = ?))`,
    [runKey, runKey],
  );
  if (!row) return undefined;
  const asObject = (v: unknown) => {
    const p = parseJsonValue(v);
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : null;
  };
  return validationFromStored(asObject(row.metrics), asObject(row.training_window), row.train_rows);
}
