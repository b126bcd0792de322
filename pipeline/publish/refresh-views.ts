import type { PoolConnection } from 'mysql2/promise';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { LAYOUT_TABLE, q, SCORE_COLUMNS } from './score-tables.ts';

/** Published tables are `scores_<pipeline>`; pipeline names never contain `_`, suffixed tables always do. */
const CURRENT = /^scores_[a-z][a-z0-9-]*$/;
const PREVIOUS = /^scores_[a-z][a-z0-9-]*_prev$/;

/**
 * Points the stable names analysts query, `customer_scores` and `customer_scores_prev`, at every
 * pipeline's published tables (UNION ALL; one pipeline: a plain mergeable view). CREATE OR
 * REPLACE VIEW is atomic, and the advisory lock keeps two pipelines publishing their first night
 * at once from each writing a view that lacks the other's table.
 */
export async function refreshScoreViews(conn: PoolConnection): Promise<void> {
  const [[lock]] = (await conn.query(
    "SELECT GET_LOCK(CONCAT('cpd:', SHA1(CONCAT('cpd-score-views/', DATABASE()))), 60) AS got",
  )) as unknown as [[{ got: number | null }]];
  if (lock?.got !== 1) throw new Error('could not take the lock on the customer_scores views within 60s');
  try {
    const [rows] = await conn.query(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'scores\\_%' ORDER BY TABLE_NAME",
    );
    const names = (rows as { name: string }[]).map((r) => r.name);
    const [cols] = await conn.query(
      "SELECT TABLE_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'scores\\_%' AND COLUMN_NAME = 'known_outcome'",
    );
    const withKnown = new Set((cols as { name: string }[]).map((r) => r.name));
    const valued = await tablesWithValueColumns(conn);
    await conn.query(
      `CREATE OR REPLACE VIEW customer_scores AS ${unionOf(
        names.filter((n) => CURRENT.test(n)),
        withKnown,
        valued,
      )}`,
    );
    await conn.query(
      `CREATE OR REPLACE VIEW customer_scores_prev AS ${unionOf(
        names.filter((n) => PREVIOUS.test(n)),
        withKnown,
        valued,
      )}`,
    );
  } finally {
    await conn.query("SELECT RELEASE_LOCK(CONCAT('cpd:', SHA1(CONCAT('cpd-score-views/', DATABASE()))))");
  }
}

/** Tables published before the known_outcome column existed read as 0 there (nothing was marked then). */
function unionOf(tables: string[], withKnown: ReadonlySet<string>, valued: ReadonlySet<string>): string {
  const cols = (t: string) =>
    SCORE_COLUMNS.map((c) =>
      c === 'known_outcome' && !withKnown.has(t) && t !== LAYOUT_TABLE ? `0 AS ${q(c)}` : q(c),
    ).join(', ');
  // Tables published before the customer-value columns existed show them as null until their next night.
  const value = (t: string) =>
    VALUE_COLUMNS.map((c) => (valued.has(t) ? q(c) : `CAST(NULL AS DOUBLE) AS ${q(c)}`)).join(', ');
  // No table yet: the empty layout table keeps the name valid, so queries return no rows instead of failing.
  return (tables.length ? tables : [LAYOUT_TABLE])
    .map((t) => `SELECT ${cols(t)}, ${value(t)} FROM ${q(t)}`)
    .join(' UNION ALL ');
}

async function tablesWithValueColumns(conn: PoolConnection): Promise<Set<string>> {
  const [rows] = await conn.query(
    "SELECT TABLE_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'next_order_days'",
  );
  return new Set((rows as { name: string }[]).map((r) => r.name));
}
