import type { Pool, PoolConnection } from 'mysql2/promise';
import type { SegmentsConfig } from '../../config/pipeline.ts';
import { chooseLoadMethod, loadTsv, trustedTextSession } from '../../db/load-infile.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { ranksOf, SEGMENT_CODES } from './deciles.ts';
import type { HistoryFill } from './record-history.ts';
import { LAYOUT_TABLE, q, type ScoreTables } from './score-tables.ts';
import { historyPieces, type SpooledScores, spoolPieces, type SpoolPlace } from './spool-scores.ts';

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

/** A night scored by one worker: its local spool file (`pool`: the second staging connection). */
export function spooledSource(spool: SpooledScores, pool: Pool): ScoreSource {
  return {
    scores: spool.scores,
    rows: spool.nRows,
    stage: (conn, tables, meta) => stageScores(conn, pool, tables, spool, meta),
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
 * layout, filled by LOAD DATA (prepared inserts where the server refuses LOCAL INFILE) that reads
 * the spool's lines with each row's decile and segment put in. A spool of more than one slice is
 * loaded in two halves at once, the second on a connection of its own from `pool`: one LOAD DATA
 * keeps one server thread busy, and at a million customers it was the step's longest phase
 * (1 M rows of ~480 bytes: 9.1-9.7 s in one statement, 6.1-6.4 s in two). Readers never see the
 * table; a failed attempt leaves only a staging table that the next attempt drops first.
 */
export async function stageScores(
  conn: PoolConnection,
  pool: Pool,
  tables: ScoreTables,
  spool: SpooledScores,
  meta: StageMeta,
): Promise<number> {
  await conn.query(`DROP TABLE IF EXISTS ${q(tables.next)}`);
  await conn.query(`CREATE TABLE ${q(tables.next)} LIKE ${q(LAYOUT_TABLE)}`);
  // seq \t score | \t decile \t segment | \t reasons \t known \t id \t value figures
  const withRanks = spoolRanks(spool, meta.segments);
  const middle = halfway(spool);
  const target = {
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
  };
  // Lines from `from` up to `to` (none: the spool's end), on connection c.
  const load = async (c: PoolConnection, from: SpoolPlace, to?: SpoolPlace): Promise<number> => {
    // Timestamps are UTC (the pool's timezone 'Z'); LOAD DATA reads scored_at in the session time zone.
    await c.query("SET time_zone = '+00:00'");
    // MySQL 8 ships with local_infile OFF: prepared multi-row inserts then, slower but no server change.
    const { method } = await chooseLoadMethod(c, 'auto');
    // The spool is this step's own text: its reasons are valid JSON by construction.
    const session = await trustedTextSession(c);
    try {
      return await loadTsv(
        c,
        { ...target, charset: session.charset },
        spoolPieces(spool.file, withRanks, from, to),
        method,
        () => (to?.line ?? spool.nRows) - from.line,
      );
    } finally {
      await session.restore();
    }
  };
  const start: SpoolPlace = { line: 0, byte: 0 };
  if (!middle) return load(conn, start);
  const second = await pool.getConnection();
  try {
    const halves = await Promise.allSettled([load(conn, start, middle), load(second, middle)]);
    // Both settled before either's error is thrown: no load of this attempt outlives it.
    for (const h of halves) if (h.status === 'rejected') throw h.reason;
    return halves.reduce((n, h) => n + (h.status === 'fulfilled' ? h.value : 0), 0);
  } finally {
    second.release();
  }
}

/** The slice start nearest the spool's middle line, or null for a spool of one slice. */
function halfway(spool: SpooledScores): SpoolPlace | null {
  let best: SpoolPlace | null = null;
  for (const p of spool.starts.slice(1))
    if (!best || Math.abs(p.line - spool.nRows / 2) < Math.abs(best.line - spool.nRows / 2)) best = p;
  return best;
}
