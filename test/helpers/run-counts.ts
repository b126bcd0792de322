import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { stepRuns } from '../../db/schema/index.ts';

/** Ledger tables whose row count per run key legitimately differs between runs (attempts, events). */
const LEDGER_TABLES = new Set(['step_runs', 'audit_log', 'schedule_ticks']);

/**
 * What a run produced, comparable across runs of the same data: the figures of each step's
 * succeeded attempt, and the number of rows with this run key in every table that has a
 * run_key column (discovered, so a table added later is compared too).
 */
export async function runCounts(
  database: Database,
  runKey: string,
): Promise<{ steps: Record<string, unknown>; tables: Record<string, number> }> {
  const done = await database.db
    .select()
    .from(stepRuns)
    .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.status, 'succeeded')))
    .orderBy(asc(stepRuns.id));
  const steps = Object.fromEntries(
    done.map((s) => [s.step, { rowsIn: s.rowsIn, rowsOut: s.rowsOut, rowsRejected: s.rowsRejected }]),
  );
  const [cols] = await database.pool.query(
    "SELECT c.TABLE_NAME AS t FROM information_schema.COLUMNS c JOIN information_schema.TABLES b ON b.TABLE_SCHEMA = c.TABLE_SCHEMA AND b.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = DATABASE() AND c.COLUMN_NAME = 'run_key' AND b.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME",
  );
  const tables: Record<string, number> = {};
  for (const { t } of cols as { t: string }[]) {
    if (LEDGER_TABLES.has(t)) continue;
    const [rows] = await database.pool.query(`SELECT COUNT(*) AS n FROM \`${t}\` WHERE run_key = ?`, [
      runKey,
    ]);
    tables[t] = Number((rows as { n: number }[])[0]!.n);
  }
  return { steps, tables };
}
