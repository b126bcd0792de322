import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { ModelMetrics } from '../render/report-data.ts';
import { metricsFromStored } from './metrics-from-stored.ts';
import { queryRows } from './query-rows.ts';

export interface RunModel {
  id: number;
  metrics?: ModelMetrics;
  baseRate?: number;
}

/** The model trained by this run and its evaluation, if training and evaluation got that far. */
export async function gatherMetrics(pool: Pool, runKey: string): Promise<RunModel | undefined> {
  const [row] = await queryRows<{ id: number; metrics: unknown }>(
    pool,
    'SELECT id, metrics FROM model_versions WHERE run_key = ?',
    [runKey],
  );
  if (!row) return undefined;
  const stored = parseJsonValue(row.metrics);
  if (!stored || typeof stored !== 'object') return { id: row.id };
  return { id: row.id, ...metricsFromStored(stored as Record<string, unknown>) };
}
