import type { PoolConnection } from 'mysql2/promise';
import type { SegmentsConfig } from '../../config/pipeline.ts';
import { type Cell, chooseLoadMethod, encodeRows, loadTsv } from '../../db/load-infile.ts';
import { ranksOf, SEGMENT_CODES } from './deciles.ts';
import { LAYOUT_TABLE, q, SCORE_COLUMNS, type ScoreTables } from './score-tables.ts';
import { readSpool, type SpooledScores } from './spool-scores.ts';

export interface StageMeta {
  runKey: string;
  businessDate: string;
  modelVersion: number;
  /** One timestamp for the whole table: a night is scored "at" one moment. */
  scoredAt: Date;
  segments: SegmentsConfig;
}

/**
 * Builds the staging table (`scores_<pipeline>_next`) from the spool: a fresh table LIKE the
 * layout, filled by one LOAD DATA statement (prepared inserts where the server refuses LOCAL INFILE). Readers never see it; a failed attempt leaves only
 * a staging table that the next attempt drops first.
 */
export async function stageScores(
  conn: PoolConnection,
  tables: ScoreTables,
  spool: SpooledScores,
  meta: StageMeta,
): Promise<number> {
  await conn.query(`DROP TABLE IF EXISTS ${q(tables.next)}`);
  await conn.query(`CREATE TABLE ${q(tables.next)} LIKE ${q(LAYOUT_TABLE)}`);
  const { deciles, segments } = ranksOf(spool.scores, meta.segments);
  const scoredAt = meta.scoredAt.toISOString().replace('T', ' ').replace('Z', '');
  let i = 0;
  async function* rows(): AsyncGenerator<Cell[]> {
    for await (const [score, reasons, id, known] of readSpool(spool.file)) {
      const decile = deciles[i]!;
      i++;
      yield [
        tables.pipeline,
        id,
        score,
        decile,
        SEGMENT_CODES[segments[i - 1]!]!,
        meta.modelVersion,
        meta.runKey,
        meta.businessDate,
        scoredAt,
        reasons,
        known,
      ];
    }
  }
  // Timestamps are UTC (the pool's timezone 'Z'); LOAD DATA reads scored_at in the session time zone.
  await conn.query("SET time_zone = '+00:00'");
  // MySQL 8 ships with local_infile OFF: prepared multi-row inserts then, slower but no server change.
  const { method } = await chooseLoadMethod(conn, 'auto');
  return loadTsv(conn, { table: tables.next, columns: SCORE_COLUMNS }, encodeRows(rows()), method, () => i);
}
