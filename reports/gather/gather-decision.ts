import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { ModelDecision } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

interface DecisionRow {
  challenger_version: number;
  champion_version: number | null;
  result_version: number | null;
  metric: string;
  challenger_value: number | null;
  champion_value: number | null;
  compared: unknown;
  promoted: number | boolean;
  reason: string;
}

export interface RunDecision {
  decision: ModelDecision;
  /** The champion after the decision: the version tonight's scores come from (its number in the pipeline). */
  servingVersion: number | null;
}

/** The model registry's champion/challenger decision of this run (model_decisions). */
export async function gatherDecision(pool: Pool, runKey: string): Promise<RunDecision | undefined> {
  const [row] = await queryRows<DecisionRow>(
    pool,
    // Versions as people read them: numbers within the pipeline (the decision stores ids).
    `SELECT COALESCE(ch.version, d.challenger_version) AS challenger_version,
            IF(d.champion_version IS NULL, NULL, COALESCE(cp.version, d.champion_version)) AS champion_version,
            IF(d.result_version IS NULL, NULL, COALESCE(rs.version, d.result_version)) AS result_version,
            d.metric, d.challenger_value, d.champion_value, d.compared, d.promoted, d.reason
       FROM model_decisions d
       LEFT JOIN model_versions ch ON ch.id = d.challenger_version
       LEFT JOIN model_versions cp ON cp.id = d.champion_version
       LEFT JOIN model_versions rs ON rs.id = d.result_version
      WHERE d.run_key = ? ORDER BY d.id DESC LIMIT 1`,
    [runKey],
  );
  if (!row) return undefined;
  const compared = parseJsonValue(row.compared) as
    | { challenger?: Record<string, number | null>; champion?: Record<string, number | null> | null }
    | undefined;
  const rocOf = (side: 'challenger' | 'champion', value: number | null) =>
    row.metric === 'rocAuc' && value !== null ? value : (compared?.[side]?.rocAuc ?? undefined);
  const decision: ModelDecision = {
    // No champion before: the challenger was the only candidate (the pipeline's first model).
    champion: row.champion_version === null ? 'none yet' : `v${row.champion_version}`,
    challenger: `v${row.challenger_version}`,
    promoted: row.promoted === true || row.promoted === 1,
    reason: row.reason,
  };
  const championRoc = rocOf('champion', row.champion_value);
  const challengerRoc = rocOf('challenger', row.challenger_value);
  if (typeof championRoc === 'number') decision.championRocAuc = championRoc;
  if (typeof challengerRoc === 'number') decision.challengerRocAuc = challengerRoc;
  return { decision, servingVersion: row.result_version };
}
