import type { PoolConnection } from 'mysql2/promise';

/**
 * The names one pipeline's scores live under. Pipeline names are `[a-z0-9-]`, so they are kept
 * as they are (back-quoted) and the `_` before a suffix can never be part of a name: pipeline
 * `x-prev` and the previous table of pipeline `x` cannot collide. The longest name
 * (`scores_` + 48 + `_prev`) stays within MySQL's 64 characters.
 */
export interface ScoreTables {
  pipeline: string;
  /** Tonight's published scores. */
  current: string;
  /** The previously published scores: what a rollback restores. */
  previous: string;
  /** Staging: loaded and checked before it replaces `current`. */
  next: string;
  /** Only inside a swap statement and until the line after it. */
  old: string;
}

export const LAYOUT_TABLE = 'customer_scores_template';

/** Columns of every scores table, in the order they are loaded. */
export const SCORE_COLUMNS = [
  'pipeline',
  'customer_id',
  'score',
  'decile',
  'segment',
  'model_version',
  'run_key',
  'business_date',
  'scored_at',
  'reasons',
  'known_outcome',
] as const;

export function scoreTables(pipeline: string): ScoreTables {
  if (!/^[a-z][a-z0-9-]{0,47}$/.test(pipeline)) throw new Error(`not a pipeline name: ${pipeline}`);
  const current = `scores_${pipeline}`;
  return { pipeline, current, previous: `${current}_prev`, next: `${current}_next`, old: `${current}_old` };
}

export function q(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A pooled connection or the pool itself: the reads here need no session state. */
export type Queryable = Pick<PoolConnection, 'query'>;

export async function tableExists(conn: Queryable, name: string): Promise<boolean> {
  const [rows] = await conn.query(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [name],
  );
  return (rows as unknown[]).length > 0;
}

/** The run whose scores a table holds (every row of a scores table comes from one run), or null. */
export async function tableRun(
  conn: Queryable,
  name: string,
): Promise<{ runKey: string; businessDate: string; rows: number } | null> {
  if (!(await tableExists(conn, name))) return null;
  const [rows] = await conn.query(
    `SELECT run_key AS runKey, DATE_FORMAT(business_date, '%Y-%m-%d') AS businessDate, (SELECT COUNT(*) FROM ${q(name)}) AS n FROM ${q(name)} LIMIT 1`,
  );
  const row = (rows as { runKey: string; businessDate: string; n: number | string }[])[0];
  return row ? { runKey: row.runKey, businessDate: row.businessDate, rows: Number(row.n) } : null;
}
