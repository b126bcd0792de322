import { q, type Queryable, scoreTables, tableRun } from './score-tables.ts';

export interface PublicationCheck {
  ok: boolean;
  /** The run the pipeline's current table holds, or null when nothing is published. */
  runKey: string | null;
  /** Rows of `scores_<pipeline>`. */
  tableRows: number;
  /** How many of the table's first and last customers `customer_scores` returns with that run (1 or 2 when ok). */
  viewRows: number;
  /** What is wrong and what to do, when not ok. */
  problem?: string;
}

/**
 * The end state every publish must leave: `customer_scores` returns the pipeline's current table.
 * Checked on the table's first and last customers, looked up through the view by its key: both
 * servers push the WHERE into each select of the view's UNION, so the check is a few index
 * lookups however many rows are published (counting every row through the view materialised
 * them all: 2.3 s at a million). A view still pointing at the empty template (a crash between
 * the RENAME and the view refresh) returns neither customer and fails it; a view that listed the
 * table twice would return each twice.
 */
export async function verifyPublication(conn: Queryable, pipeline: string): Promise<PublicationCheck> {
  const t = scoreTables(pipeline);
  const current = await tableRun(conn, t.current);
  if (!current) return { ok: true, runKey: null, tableRows: 0, viewRows: 0 };
  const [ends] = await conn.query(
    `SELECT MIN(customer_id) AS first, MAX(customer_id) AS last FROM ${q(t.current)} WHERE pipeline = ?`,
    [pipeline],
  );
  const { first, last } = (ends as { first: string; last: string }[])[0]!;
  const [rows] = await conn.query(
    'SELECT run_key AS runKey FROM customer_scores WHERE pipeline = ? AND customer_id IN (?, ?)',
    [pipeline, first, last],
  );
  const seen = rows as { runKey: string }[];
  const viewRows = seen.filter((r) => r.runKey === current.runKey).length;
  const ok = viewRows === seen.length && viewRows === (first === last ? 1 : 2);
  return {
    ok,
    runKey: current.runKey,
    tableRows: current.rows,
    viewRows,
    ...(ok
      ? {}
      : {
          problem: `customer_scores returns ${seen.length} rows (${viewRows} of run ${current.runKey}) for the first and last customers of ${t.current}, which holds ${current.rows} rows of that run: the views are stale; retrying the score step refreshes them`,
        }),
  };
}
