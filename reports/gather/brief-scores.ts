import { createHash } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import {
  type BriefCorrection,
  describeCorrection,
  DIGEST_TOP,
  type ScoresDigest,
} from '../render/brief-correction.ts';
import { queryRows } from './query-rows.ts';

/**
 * The scores this run published, as a digest: customer_score_history keeps each published night
 * by business date (a later night's publish does not hide them). The checksum is computed by the
 * server, order-independent (XOR of each row's MD5), so no row travels to the worker; 128 bits
 * plus the row count make a collision between two reruns not worth worrying about.
 */
export async function publishedScoresDigest(
  pool: Pool,
  pipeline: string,
  businessDate: string,
  runKey: string,
): Promise<ScoresDigest> {
  const where = 'pipeline = ? AND business_date = ? AND run_key = ?';
  const args = [pipeline, businessDate, runKey];
  // Two reads of the same rows at once: the checksum is server CPU (MD5 of every row), the top a sort.
  const [[sum], top] = await Promise.all([
    queryRows<{ n: number; hi: string | null; lo: string | null }>(
      pool,
      `SELECT COUNT(*) AS n,
              CAST(BIT_XOR(CAST(CONV(SUBSTRING(h.md5, 1, 16), 16, 10) AS UNSIGNED)) AS CHAR) AS hi,
              CAST(BIT_XOR(CAST(CONV(SUBSTRING(h.md5, 17, 16), 16, 10) AS UNSIGNED)) AS CHAR) AS lo
         FROM (SELECT MD5(CONCAT(customer_id, '|', score)) AS md5 FROM customer_score_history WHERE ${where}) h`,
      args,
    ),
    queryRows<{ customer_id: string }>(
      pool,
      `SELECT customer_id FROM customer_score_history WHERE ${where} ORDER BY score DESC, customer_id LIMIT ${DIGEST_TOP}`,
      args,
    ),
  ]);
  const customers = Number(sum?.n ?? 0);
  return {
    checksum: createHash('sha256')
      .update(`${customers}:${sum?.hi ?? ''}:${sum?.lo ?? ''}`)
      .digest('hex'),
    customers,
    topIds: top.map((r) => r.customer_id),
  };
}

/**
 * Whether this generation's brief corrects an earlier one: its published scores differ from what
 * the last earlier generation's brief reported. Null for the first brief, or identical scores.
 */
export async function briefCorrection(
  pool: Pool,
  runKey: string,
  generation: number,
  now: ScoresDigest,
): Promise<BriefCorrection | null> {
  const [before] = await queryRows<{
    generation: number;
    checksum: string;
    customers: number;
    top_ids: unknown;
  }>(
    pool,
    `SELECT generation, checksum, customers, top_ids FROM brief_scores
      WHERE run_key = ? AND generation < ? ORDER BY generation DESC LIMIT 1`,
    [runKey, generation],
  );
  if (!before) return null;
  const topIds = parseJsonValue<unknown>(before.top_ids);
  return describeCorrection(
    {
      checksum: before.checksum,
      customers: Number(before.customers),
      topIds: Array.isArray(topIds) ? topIds.map(String) : [],
    },
    now,
    before.generation,
  );
}

/** Records what this generation's brief reported (replacing a retried attempt's record). */
export async function recordBriefScores(
  pool: Pool,
  runKey: string,
  generation: number,
  digest: ScoresDigest,
  kind: string,
): Promise<void> {
  await pool.query(
    `INSERT INTO brief_scores (run_key, generation, checksum, customers, top_ids, kind) VALUES (?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE checksum = VALUES(checksum), customers = VALUES(customers),
       top_ids = VALUES(top_ids), kind = VALUES(kind)`,
    [runKey, generation, digest.checksum, digest.customers, JSON.stringify(digest.topIds), kind],
  );
}
