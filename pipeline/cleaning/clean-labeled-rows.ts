import { and, asc, eq, gt } from 'drizzle-orm';
import type { LabeledPipeline } from '../../config/pipeline.ts';
import { rawRows, sourceFiles } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { StepResult, WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import { insertRejects, type Reject } from '../sources/rejects.ts';
import { type ColumnRole, columnRoles, parseBoolean, parseNumber } from './column-types.ts';

const CHUNK = 5_000;

type Value = number | boolean | string | null;

/**
 * Labeled mode's clean: turns raw cells into typed values (an empty label: outcome unknown, label
 * null). A row whose number or boolean cannot be read, or whose id repeats, is quarantined with the column and reason; the rest is
 * written to clean_rows, replacing the run's previous output in one transaction.
 */
export async function cleanLabeledRows(ctx: WorkContext, pipeline: LabeledPipeline): Promise<StepResult> {
  const { run, db, pool, progress } = ctx;
  const files = await db.select().from(sourceFiles).where(eq(sourceFiles.runKey, run.runKey));
  const total = files.reduce((n, f) => n + (f.rows ?? 0), 0);
  const rejects: Reject[] = [];
  const seenIds = new Set<string>();
  const roleCounts: Record<string, ColumnRole> = {};
  let read = 0;
  let written = 0;
  await inTransaction(pool, async (conn) => {
    await conn.query('DELETE FROM clean_rows WHERE run_key = ?', [run.runKey]);
    await conn.query("DELETE FROM rejected_rows WHERE run_key = ? AND step = 'clean'", [run.runKey]);
    for (const file of files) {
      const header = file.header ?? [];
      let roles: Map<string, ColumnRole> | undefined;
      let lastId = 0;
      for (;;) {
        const chunk = await db
          .select({ id: rawRows.id, line: rawRows.line, cells: rawRows.cells })
          .from(rawRows)
          .where(
            and(eq(rawRows.runKey, run.runKey), eq(rawRows.sourceFileId, file.id), gt(rawRows.id, lastId)),
          )
          .orderBy(asc(rawRows.id))
          .limit(CHUNK);
        if (chunk.length === 0) break;
        lastId = chunk[chunk.length - 1]!.id;
        // raw_rows.cells is LONGTEXT holding the JSON array load wrote, not a JSON column.
        const parsed = chunk.map((r) => ({ line: r.line, cells: JSON.parse(r.cells) as string[] }));
        roles ??= columnRoles(
          pipeline,
          header,
          parsed.slice(0, 1000).map((p) => p.cells),
        );
        for (const [k, v] of roles) roleCounts[k] = v;
        const out: unknown[][] = [];
        for (const row of parsed) {
          read++;
          const result = cleanRow(pipeline, header, roles, row.cells);
          const rowId = result.ok ? (result.id ?? `${file.source}:${row.line}`) : '';
          if (!result.ok) {
            rejects.push({
              source: file.path,
              line: row.line,
              column: result.column,
              reason: result.reason,
              raw: row.cells.join(','),
            });
          } else if (seenIds.has(rowId)) {
            rejects.push({
              source: file.path,
              line: row.line,
              column: pipeline.columns.id ?? null,
              reason: `duplicate id "${rowId}"`,
              raw: row.cells.join(','),
            });
          } else {
            seenIds.add(rowId);
            out.push([run.runKey, rowId, file.id, row.line, result.label, JSON.stringify(result.values)]);
          }
        }
        for (let i = 0; i < out.length; i += 1000) {
          await conn.query(
            'INSERT INTO clean_rows (run_key, row_id, source_file_id, line, label, `values`) VALUES ?',
            [out.slice(i, i + 1000)],
          );
        }
        written += out.length;
        await progress(total ? Math.round((read / total) * 100) : 100);
      }
    }
    if (read > 0 && rejects.length / read > pipeline.maxRejectShare) {
      const first = rejects[0]!;
      throw new PermanentError(
        `${rejects.length} of ${read} rows rejected by clean; first: ${first.source} line ${first.line} column ${first.column}: ${first.reason}`,
        {
          source: first.source,
          line: first.line ?? undefined,
          column: first.column ?? undefined,
        },
      );
    }
    await insertRejects(conn, run.runKey, 'clean', rejects);
  });
  return {
    rowsIn: read,
    rowsOut: written,
    rowsRejected: rejects.length,
    details: { columnRoles: roleCounts, rejectsByReason: countReasons(rejects) },
  };
}

type CleanResult =
  | { ok: true; id: string | undefined; label: 0 | 1 | null; values: Record<string, Value> }
  | { ok: false; column: string; reason: string };

export function cleanRow(
  pipeline: LabeledPipeline,
  header: string[],
  roles: Map<string, ColumnRole>,
  cells: string[],
): CleanResult {
  const nulls = new Set(
    pipeline.sources[0]?.kind === 'sql' ? [''] : (pipeline.sources[0]?.parse.nullTokens ?? ['']),
  );
  const positive = new Set(pipeline.columns.label.positive.map((p) => p.toLowerCase()));
  const values: Record<string, Value> = {};
  let id: string | undefined;
  let label: 0 | 1 | null = 0;
  for (const [i, name] of header.entries()) {
    const cell = cells[i] ?? '';
    const isNull = nulls.has(cell.trim());
    switch (roles.get(name)) {
      case 'id':
        if (isNull) return { ok: false, column: name, reason: 'id is empty' };
        id = cell.trim();
        break;
      case 'label':
        // An empty label is an outcome not known yet: the row is one to score and act on, not to learn from.
        label = isNull ? null : positive.has(cell.trim().toLowerCase()) ? 1 : 0;
        break;
      case 'numeric': {
        if (isNull) {
          values[name] = null;
          break;
        }
        const n = parseNumber(cell);
        if (n === undefined)
          return { ok: false, column: name, reason: `not a number: "${cell.slice(0, 40)}"` };
        values[name] = n;
        break;
      }
      case 'boolean': {
        if (isNull) {
          values[name] = null;
          break;
        }
        const b = parseBoolean(cell);
        if (b === undefined)
          return { ok: false, column: name, reason: `not a boolean: "${cell.slice(0, 40)}"` };
        values[name] = b;
        break;
      }
      case 'categorical':
        values[name] = isNull ? null : cell.trim();
        break;
      default:
        break;
    }
  }
  return { ok: true, id, label, values };
}

function countReasons(rejects: Reject[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rejects) {
    const key = r.reason.replace(/".*"/, '"…"');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
