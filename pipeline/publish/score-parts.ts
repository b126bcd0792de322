import { createHash } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import { faultPoint } from '../../config/fault-point.ts';
import { chooseLoadMethod, loadTsv } from '../../db/load-infile.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { type RankCuts, rankCuts, rankSql } from './rank-cuts.ts';
import { LAYOUT_TABLE, q, type ScoreTables } from './score-tables.ts';
import { type SpooledScores, spoolPieces } from './spool-scores.ts';
import { type ScoreSource, stageConstants, type StageMeta } from './stage-scores.ts';

/** A chunk's rows as the parent combines them: the spool's columns, in the night's id order. */
const PART_COLUMNS = ['seq', 'score', 'reasons', 'known_outcome', 'customer_id', ...VALUE_COLUMNS] as const;

/**
 * The table one chunk of a fanned-out score step writes: one per (pipeline, run, generation,
 * chunk), hashed to stay within MySQL's 64 characters (outside the `scores_` names the views are built from). A retried or duplicated chunk replaces it
 * whole, so its rows are there once, whoever ran it last.
 */
export function partTable(pipeline: string, runKey: string, generation: number, index: number): string {
  const h = createHash('sha1').update(`${pipeline}/${runKey}/g${generation}`).digest('hex').slice(0, 16);
  return `score_part_${h}_${index}`;
}

/**
 * Loads a chunk's spool into its part table: into a private table first, renamed into place once
 * whole (a chunk killed mid-load leaves only the private table, which its retry drops).
 */
export async function writePart(conn: PoolConnection, name: string, spool: SpooledScores): Promise<number> {
  const loading = `${name}_w`;
  await conn.query(`DROP TABLE IF EXISTS ${q(loading)}`);
  await conn.query(
    `CREATE TABLE ${q(loading)} (seq INT UNSIGNED NOT NULL PRIMARY KEY, score DOUBLE NULL, reasons LONGTEXT NULL,
     known_outcome TINYINT NOT NULL, customer_id VARCHAR(191) NOT NULL, ${VALUE_COLUMNS.map((c) => `${c} DOUBLE NULL`).join(', ')})`,
  );
  const { method } = await chooseLoadMethod(conn, 'auto');
  const rows = await loadTsv(
    conn,
    { table: loading, columns: PART_COLUMNS },
    spoolPieces(spool.file),
    method,
    () => spool.nRows,
  );
  faultPoint('score.chunk-before-rename');
  await conn.query(`DROP TABLE IF EXISTS ${q(name)}`);
  await conn.query(`RENAME TABLE ${q(loading)} TO ${q(name)}`);
  return rows;
}

export interface Part {
  table: string;
  /** The index of its first row in the night's id order. */
  offset: number;
  rows: number;
}

/**
 * The night's scores from the chunks' part tables, in id order (the binary protocol: the exact
 * doubles, so the rank cuts compare equal to the stored scores).
 */
export async function partScores(conn: PoolConnection, parts: Part[]): Promise<Float64Array> {
  const scores = new Float64Array(parts.reduce((n, p) => n + p.rows, 0));
  for (const p of parts) {
    const [rows] = await conn.execute({
      sql: `SELECT score FROM ${q(p.table)} ORDER BY seq`,
      rowsAsArray: true,
    });
    const got = rows as [number | null][];
    if (got.length !== p.rows)
      throw new Error(`${p.table} holds ${got.length} rows, its chunk scored ${p.rows}`);
    got.forEach(([s], i) => (scores[p.offset + i] = s ?? NaN));
  }
  return scores;
}

/**
 * The night scored in chunks: staging is one INSERT ... SELECT per part into a fresh table LIKE
 * the layout, each row's decile and segment set by the rank cuts of the whole night (the same
 * numbers ranksOf gives a single worker's night).
 */
export function partsSource(parts: Part[], scores: Float64Array): ScoreSource {
  return {
    scores,
    rows: scores.length,
    async stage(conn: PoolConnection, tables: ScoreTables, meta: StageMeta): Promise<number> {
      const cuts: RankCuts = rankCuts(scores, meta.segments);
      await conn.query(`DROP TABLE IF EXISTS ${q(tables.next)}`);
      await conn.query(`CREATE TABLE ${q(tables.next)} LIKE ${q(LAYOUT_TABLE)}`);
      await conn.query("SET time_zone = '+00:00'");
      const c = stageConstants(tables, meta);
      const value = VALUE_COLUMNS.join(', ');
      let rows = 0;
      for (const p of parts) {
        if (!Number.isSafeInteger(p.offset)) throw new Error(`bad offset ${p.offset} of ${p.table}`);
        const ranks = rankSql(cuts, 'score', `(seq + ${p.offset})`);
        const [res] = await conn.query(
          `INSERT INTO ${q(tables.next)} (pipeline, customer_id, score, decile, segment, model_version, run_key, business_date, scored_at, reasons, known_outcome, ${value})
           SELECT ?, customer_id, score, ${ranks.decile}, ${ranks.segment}, ?, ?, ?, ?, reasons, known_outcome, ${value} FROM ${q(p.table)} ORDER BY seq`,
          [c.pipeline, ...ranks.params, c.model_version, c.run_key, c.business_date, c.scored_at],
        );
        rows += (res as { affectedRows: number }).affectedRows;
      }
      return rows;
    },
  };
}

export async function dropParts(conn: PoolConnection, parts: Pick<Part, 'table'>[]): Promise<void> {
  for (const p of parts) await conn.query(`DROP TABLE IF EXISTS ${q(p.table)}, ${q(`${p.table}_w`)}`);
}
