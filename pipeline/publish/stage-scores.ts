import type { PoolConnection } from 'mysql2/promise';
import type { SegmentsConfig } from '../../config/pipeline.ts';
import { chooseLoadMethod, loadTsv } from '../../db/load-infile.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { ranksOf, SEGMENT_CODES } from './deciles.ts';
import type { HistoryFill } from './record-history.ts';
import { LAYOUT_TABLE, q, type ScoreTables } from './score-tables.ts';
import { historyPieces, type SpooledScores, spoolPieces } from './spool-scores.ts';

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
  /** Rows the staging table will hold (stage() checks it stored exactly these). */
  rows: number;
  stage(conn: PoolConnection, tables: ScoreTables, meta: StageMeta): Promise<number>;
  /**
   * Writes the night's history rows straight from the source, so it can run beside stage() on a
   * connection of its own; without it the history is copied from the staged table afterwards.
   */
  history?(tables: ScoreTables, meta: StageMeta): HistoryFill;
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
  return {
    scores: spool.scores,
    rows: spool.nRows,
    stage: (conn, tables, meta) => stageScores(conn, tables, spool, meta),
    history: (tables, meta) => historyFromSpool(spool, tables, meta),
  };
}

/** Deciles and segments of a spool, computed once for its staging and its history. */
const rankCache = new WeakMap<Float64Array, { segments: SegmentsConfig; ranks: (at: number) => Buffer }>();

/** `\t decile \t segment` of line `at`: what goes in after each line's score. */
function spoolRanks(spool: SpooledScores, segments: SegmentsConfig): (at: number) => Buffer {
  const hit = rankCache.get(spool.scores);
  if (hit && hit.segments === segments) return hit.ranks;
  const r = ranksOf(spool.scores, segments);
  const text = Array.from({ length: 11 }, (_, d) =>
    SEGMENT_CODES.map((code) => Buffer.from(`\t${d}\t${code}`)),
  );
  const ranks = (at: number): Buffer => text[r.deciles[at]!]![r.segments[at]!]!;
  rankCache.set(spool.scores, { segments, ranks });
  return ranks;
}

/**
 * The history's rows from the spool, by LOAD DATA on the history's own connection: each line cut
 * to score, decile, segment, id and value figures (no reasons: a third of the bytes), lines
 * without a score left out.
 */
function historyFromSpool(spool: SpooledScores, tables: ScoreTables, meta: StageMeta): HistoryFill {
  return async (conn) => {
    const ranks = spoolRanks(spool, meta.segments);
    let kept = 0;
    for (const s of spool.scores) if (Number.isFinite(s)) kept++;
    const { method } = await chooseLoadMethod(conn, 'auto');
    return loadTsv(
      conn,
      {
        table: 'customer_score_history',
        columns: ['score', 'decile', 'segment', 'customer_id', ...VALUE_COLUMNS],
        constants: {
          pipeline: tables.pipeline,
          business_date: meta.businessDate,
          model_version: meta.modelVersion,
          run_key: meta.runKey,
        },
      },
      historyPieces(spool.file, (line) => (Number.isFinite(spool.scores[line]!) ? ranks(line) : null)),
      method,
      () => kept,
    );
  };
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
  // seq \t score | \t decile \t segment | \t reasons \t known \t id \t value figures
  const withRanks = spoolRanks(spool, meta.segments);
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
