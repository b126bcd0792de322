import { q, type Queryable, scoreTables, tableRun } from './score-tables.ts';

export interface PublicationCheck {
  ok: boolean;
  /** The run the pipeline's current table holds, or null when nothing is published. */
  runKey: string | null;
  /** Rows of `scores_<pipeline>`. */
  tableRows: number;
  /** Rows of that pipeline that `customer_scores` returns. */
  viewRows: number;
  /** What is wrong and what to do, when not ok. */
  problem?: string;
}

/**
 * The end state every publish must leave, checked cheaply (two counts): `customer_scores` returns
 * exactly the rows of the pipeline's current table. A view still pointing at the empty template
 * (a crash between the RENAME and the view refresh) returns 0 rows for the pipeline and fails it.
 */
export async function verifyPublication(conn: Queryable, pipeline: string): Promise<PublicationCheck> {
  const t = scoreTables(pipeline);
  const current = await tableRun(conn, t.current);
  if (!current) return { ok: true, runKey: null, tableRows: 0, viewRows: 0 };
  const [rows] = await conn.query(
    `SELECT (SELECT COUNT(*) FROM customer_scores WHERE pipeline = ?) AS v, (SELECT COUNT(*) FROM ${q(t.current)}) AS n`,
    [pipeline],
  );
  const row = (rows as { v: number | string; n: number | string }[])[0]!;
  const viewRows = Number(row.v);
  const tableRows = Number(row.n);
  const ok = viewRows === tableRows;
  return {
    ok,
    runKey: current.runKey,
    tableRows,
    viewRows,
    ...(ok
      ? {}
      : {
          problem: `customer_scores returns ${viewRows} rows of ${pipeline} but ${t.current} (run ${current.runKey}) holds ${tableRows}: the views are stale; retrying the score step refreshes them`,
        }),
  };
}
