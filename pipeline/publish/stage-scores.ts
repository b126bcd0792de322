import type { PoolConnection } from 'mysql2/promise';
import type { SegmentsConfig } from '../../config/pipeline.ts';
import { chooseLoadMethod, loadTsv } from '../../db/load-infile.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { ranksOf, SEGMENT_CODES } from './deciles.ts';
import { LAYOUT_TABLE, q, type ScoreTables } from './score-tables.ts';
import { type SpooledScores, spoolPieces } from './spool-scores.ts';

export interface StageMeta {
  runKey: string;
  businessDate: string;
  modelVersion: number;
  /** One timestamp for the whole table: a night is scored "at" one moment. */
  scoredAt: Date;
  segments: SegmentsConfig;
}

/** What publishScores stages and checks: every score in id order, and how to build the staging table. */
export interface ScoreSource {
  /** NaN = no score. */
  scores: Float64Array;
  stage(conn: PoolConnection, tables: ScoreTables, meta: StageMeta): Promise<number>;
}

/** The staging constants: one value for every row of a night. */
export function stageConstants(tables: ScoreTables, meta: StageMeta): Record<string, string | number> {
  return {
    pipeline: tables.pipeline,
    model_version: meta.modelVersion,
    run_key: meta.runKey,
    business_date: meta.businessDate,
    scored_at: meta.scoredAt.toISOString().replace('T', ' ').replace('Z', ''),
  };
}

/** A night scored by one worker: its local spool file. */
export function spooledSource(spool: SpooledScores): ScoreSource {
  return { scores: spool.scores, stage: (conn, tables, meta) => stageScores(conn, tables, spool, meta) };
}

/**
 * Builds the staging table (`scores_<pipeline>_next`) from the spool: a fresh table LIKE the
 * layout, filled by one LOAD DATA statement (prepared inserts where the server refuses LOCAL
 * INFILE) that reads the spool's lines with each row's decile and segment put in. Readers never
 * see it; a failed attempt leaves only a staging table that the next attempt drops first.
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
  // seq \t score | \t decile \t segment | \t reasons \t known \t id \t value figures
  const ranks = Array.from({ length: 11 }, (_, d) =>
    SEGMENT_CODES.map((code) => Buffer.from(`\t${d}\t${code}`)),
  );
  const withRanks = (at: number): Buffer => ranks[deciles[at]!]![segments[at]!]!;
  // Timestamps are UTC (the pool's timezone 'Z'); LOAD DATA reads scored_at in the session time zone.
  await conn.query("SET time_zone = '+00:00'");
  // MySQL 8 ships with local_infile OFF: prepared multi-row inserts then, slower but no server change.
  const { method } = await chooseLoadMethod(conn, 'auto');
  return loadTsv(
    conn,
    {
      table: tables.next,
      columns: [
        '@seq',
        'score',
        'decile',
        'segment',
        'reasons',
        'known_outcome',
        'customer_id',
        ...VALUE_COLUMNS,
      ],
      constants: stageConstants(tables, meta),
    },
    spoolPieces(spool.file, withRanks),
    method,
    () => spool.nRows,
  );
}
