import { and, asc, eq } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import type { Pipeline, Source } from '../config/pipeline.ts';
import { chooseLoadMethod, LocalInfileOffError } from '../db/load-infile.ts';
import { loadedFiles, sourceFiles } from '../db/schema/index.ts';
import type { Db } from '../db/client.ts';
import { sourceName } from './collect.ts';
import { defineStep } from '../runner/step.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { createStaging, dropStaging, originHash, publishStaged, stagingTables, type StagedInput } from '../pipeline/sources/publish-staged.ts';
import { SQL_LANDED_PARSE } from '../pipeline/sources/sql-source.ts';
import { stageFile } from '../pipeline/sources/stage-file.ts';

/** How long a second run of the same pipeline waits for the first one's load (transactions share one table). */
const PIPELINE_LOCK_S = 600;

/**
 * load: streams every collected input through its data contract into a per-run staging table
 * (LOAD DATA LOCAL INFILE, or prepared inserts when the server forbids it), then publishes in one
 * transaction. Labeled mode replaces the run's raw_rows; transactions mode skips inputs whose
 * sha256 is already loaded and replaces exactly the lines of changed ones. Rejected rows go to
 * rejected_rows with file, line, column and reason: loaded + rejected = read, for every file.
 */
export const load = defineStep({
  name: 'load',
  async handler({ run, db, pool, log, progress, signal }) {
    const { pipeline, runKey } = run;
    const files = await db.select().from(sourceFiles).where(eq(sourceFiles.runKey, runKey)).orderBy(asc(sourceFiles.id));
    if (files.length === 0) throw new PermanentError(`no collected files for ${runKey}: run collect first`);
    const conn = await pool.getConnection();
    const side = await pool.getConnection();
    const tables = stagingTables(runKey);
    const inputs: StagedInput[] = [];
    const skipped: string[] = [];
    const notes: string[] = [];
    const timings = { stageMs: 0, publishMs: 0 };
    try {
      const { method, note } = await chooseLoadMethod(conn, pipeline.load.method).catch((err: unknown) => {
        throw err instanceof LocalInfileOffError ? new PermanentError(err.message, { cause: err }) : err;
      });
      if (note) {
        log.warn(note);
        notes.push(note);
      }
      if (pipeline.mode === 'transactions') await lockPipeline(side, pipeline.name);
      await createStaging(conn, tables, pipeline.mode);
      for (const [i, file] of files.entries()) {
        signal.throwIfAborted();
        const source = findSource(pipeline, file.source);
        const ledger = pipeline.mode === 'transactions' ? await ledgerOf(db, pipeline.name, file) : undefined;
        if (ledger?.sha256 === file.sha256) {
          skipped.push(file.path);
          await db.update(sourceFiles).set({ action: 'unchanged' }).where(eq(sourceFiles.id, file.id));
          log.info({ file: file.path, sha256: file.sha256, loadedBy: ledger.runKey }, 'input unchanged since it was loaded: skipped');
          continue;
        }
        checkFreshness(file, source, run.businessDate);
        const parse = source.kind === 'sql' ? { ...SQL_LANDED_PARSE, nullTokens: [...SQL_LANDED_PARSE.nullTokens], dateFormats: {} } : source.parse;
        const stageStart = performance.now();
        const staged = await stageFile({ conn, rejectConn: side, runKey, pipeline, file, parse, contract: source.contract, isoDates: source.kind === 'sql', method, tables });
        timings.stageMs += Math.round(performance.now() - stageStart);
        inputs.push({ file, ledger, staged });
        log.info({ file: file.path, read: staged.read, loaded: staged.loaded, rejected: staged.rejected, method }, 'input staged');
        await progress(Math.round(((i + 1) / files.length) * 90));
      }
      const publishStart = performance.now();
      if (inputs.length > 0) await publishStaged(conn, runKey, pipeline, tables, inputs);
      timings.publishMs = Math.round(performance.now() - publishStart);
    } finally {
      await dropStaging(conn, tables).catch((err: unknown) => log.warn({ err }, 'could not drop the staging tables'));
      await side.query('SELECT RELEASE_ALL_LOCKS()').catch(() => undefined);
      conn.release();
      side.release();
    }
    return summarize(inputs, skipped, notes, timings);
  },
});

function summarize(inputs: StagedInput[], skipped: string[], notes: string[], timings: { stageMs: number; publishMs: number }) {
  const sum = (f: (s: StagedInput['staged']) => number) => inputs.reduce((n, i) => n + f(i.staged), 0);
  const merge = (pick: (s: StagedInput['staged']) => Map<string, number>) => {
    const out: Record<string, number> = {};
    for (const i of inputs) for (const [k, v] of pick(i.staged)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    rowsIn: sum((s) => s.read),
    rowsOut: sum((s) => s.loaded),
    rowsRejected: sum((s) => s.rejected),
    details: {
      files: inputs.map(({ file, ledger, staged }) => ({
        source: file.source,
        path: file.path,
        action: ledger ? 'replaced' : 'loaded',
        read: staged.read,
        loaded: staged.loaded,
        rejected: staged.rejected,
        blankLines: staged.blankLines,
      })),
      skipped,
      ...timings,
      rejectsByReason: merge((s) => s.rejectsByReason),
      warnings: [...notes, ...Object.entries(merge((s) => s.warnings)).map(([k, n]) => `${k} (${n} rows)`)],
    },
  };
}

function findSource(pipeline: Pipeline, name: string): Source {
  const source = pipeline.sources.find((s, i) => sourceName(s, i) === name);
  if (!source) throw new PermanentError(`source ${name} is not in the pipeline any more`, { source: name });
  return source;
}

async function ledgerOf(db: Db, pipeline: string, file: typeof sourceFiles.$inferSelect) {
  const [row] = await db
    .select()
    .from(loadedFiles)
    .where(and(eq(loadedFiles.pipeline, pipeline), eq(loadedFiles.source, file.source), eq(loadedFiles.originHash, originHash(file.origin))));
  return row;
}

/** Transactions of one pipeline share raw_transactions and the ledger: one load at a time per pipeline. */
async function lockPipeline(conn: PoolConnection, pipeline: string): Promise<void> {
  const [rows] = await conn.query("SELECT GET_LOCK(CONCAT('cpd-load:', DATABASE(), ':', ?), ?) AS got", [pipeline, PIPELINE_LOCK_S]);
  if ((rows as { got: number | null }[])[0]?.got !== 1) throw new Error(`another run of ${pipeline} is loading (lock busy for ${PIPELINE_LOCK_S}s)`);
}

/** A stale export (older than the business date by more than the contract allows) blocks the load. */
function checkFreshness(file: typeof sourceFiles.$inferSelect, source: Source, businessDate: string): void {
  const maxAge = source.contract.maxAgeDays;
  if (maxAge === undefined || !file.modifiedAt) return;
  const oldest = Date.parse(`${businessDate}T00:00:00Z`) - maxAge * 86_400_000;
  if (file.modifiedAt.getTime() < oldest) {
    throw new PermanentError(
      `${file.path}: last modified ${file.modifiedAt.toISOString()}, more than ${maxAge} days before the business date ${businessDate} (a stale export?)`,
      { source: file.path },
    );
  }
}
