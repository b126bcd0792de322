import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { ModelMetrics } from '../render/report-data.ts';
import { metricsFromStored } from './metrics-from-stored.ts';
import { queryRows } from './query-rows.ts';

export interface RunModel {
  id: number;
  /** Its number within the pipeline (v3), as people read it. */
  version: number;
  metrics?: ModelMetrics;
  baseRate?: number;
}

/**
 * The model this run trained (or reused: same data and parameters as an earlier run) and its
 * evaluation, if training and evaluation got that far.
 */
export async function gatherMetrics(pool: Pool, runKey: string): Promise<RunModel | undefined> {
  const [row] = await queryRows<{ id: number; version: number; metrics: unknown }>(
    pool,
    `SELECT m.id, m.version, m.metrics FROM model_versions m
      WHERE m.id = COALESCE((SELECT version_id FROM run_models WHERE run_key = ?),
                            (SELECT id FROM model_versions WHERE run_key = ?))`,
    [runKey, runKey],
  );
  if (!row) return undefined;
  const stored = parseJsonValue(row.metrics);
  if (!stored || typeof stored !== 'object') return { id: row.id, version: row.version };
  return { id: row.id, version: row.version, ...metricsFromStored(stored as Record<string, unknown>) };
}
