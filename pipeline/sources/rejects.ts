import type { Pool, PoolConnection } from 'mysql2/promise';

export interface Reject {
  source: string;
  line: number | null;
  column: string | null;
  reason: string;
  raw: string | null;
}

/** Raw text is kept whole up to 64 KiB: enough to see the problem, bounded for giant lines. */
const RAW_LIMIT = 64 * 1024;

/** Writes quarantined rows in batches on the caller's connection (inside its transaction). */
export async function insertRejects(
  conn: PoolConnection,
  runKey: string,
  step: string,
  rejects: Reject[],
): Promise<void> {
  for (let i = 0; i < rejects.length; i += 1000) {
    const batch = rejects
      .slice(i, i + 1000)
      .map((r) => [
        runKey,
        step,
        r.source,
        r.line,
        r.column,
        r.reason.slice(0, 500),
        r.raw?.slice(0, RAW_LIMIT) ?? null,
      ]);
    await conn.query(
      'INSERT INTO rejected_rows (run_key, step, source, line, column_name, reason, raw) VALUES ?',
      [batch],
    );
  }
}

/** A run's refused lines for display: how many are stored and the first `limit` of them, in file order. */
export async function readRejects(
  pool: Pool,
  runKey: string,
  limit: number,
): Promise<{ total: number; first: Omit<Reject, 'raw'>[] }> {
  const [[count]] = (await pool.query('SELECT COUNT(*) AS n FROM rejected_rows WHERE run_key = ?', [
    runKey,
  ])) as unknown as [{ n: number }[]];
  const [rows] = await pool.query(
    'SELECT source, line, column_name AS `column`, reason FROM rejected_rows WHERE run_key = ? ORDER BY step, source, line LIMIT ?',
    [runKey, limit],
  );
  return { total: Number(count?.n ?? 0), first: rows as Omit<Reject, 'raw'>[] };
}
