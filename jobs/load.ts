import { asc, eq } from 'drizzle-orm';
import { chooseLoadMethod, LocalInfileOffError } from '../db/load-infile.ts';
import { sourceFiles } from '../db/schema/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { modeOf } from '../modes/index.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { checkFreshness } from '../pipeline/sources/contracts/freshness.ts';
import { loadSummary } from '../pipeline/sources/load-summary.ts';
import {
  createStaging,
  dropStaging,
  keepFailedRejects,
  publishStaged,
  type StagedInput,
  stagingTables,
} from '../pipeline/sources/publish-staged.ts';
import { sourceNamed } from '../pipeline/sources/source-name.ts';
import { SQL_LANDED_PARSE } from '../pipeline/sources/sql-source.ts';
import { stageFile, TooManyRejectsError } from '../pipeline/sources/stage-file.ts';
import { defineStep } from '../runner/step.ts';

/**
 * load: streams every collected input through its data contract into the mode's target table
 * (LOAD DATA LOCAL INFILE, or prepared inserts when the server forbids it), all in one transaction
 * that ends by publishing: readers never see a half load. The mode's load plan says what a row
 * becomes, where it is written (the raw table itself, or a per-run staging table copied at
 * publish), whether runs share the raw table (one load at a time), whether inputs already loaded
 * are skipped, and what an input replaces.
 * Rejected rows go to rejected_rows with file, line, column and reason: loaded + rejected = read.
 */
export const load = defineStep({
  name: 'load',
  async handler({ run, db, pool, log, progress, signal }) {
    const { pipeline, runKey } = run;
    const plan = modeOf(pipeline).load;
    const files = await db
      .select()
      .from(sourceFiles)
      .where(eq(sourceFiles.runKey, runKey))
      .orderBy(asc(sourceFiles.id));
    if (files.length === 0) throw new PermanentError(`no collected files for ${runKey}: run collect first`);
    const conn = await pool.getConnection();
    const side = await pool.getConnection();
    const tables = stagingTables(runKey);
    const inputs: StagedInput[] = [];
    const skipped: string[] = [];
    const notes: string[] = [];
    const timings = { stageMs: 0, publishMs: 0 };
    let publishStart = 0;
    try {
      const { method, note } = await chooseLoadMethod(conn, pipeline.load.method).catch((err: unknown) => {
        throw err instanceof LocalInfileOffError ? new PermanentError(err.message, { cause: err }) : err;
      });
      if (note) {
        log.warn(note);
        notes.push(note);
      }
      await plan.lock(side);
      await createStaging(conn, tables, plan.stagingColumns);
      // One transaction from the first row written to the ledger: a failure anywhere (a bad file
      // at the second input, too many rejects found at the end) rolls back every row of the load.
      await inTransaction(conn, async () => {
        for (const [i, file] of files.entries()) {
          signal.throwIfAborted();
          const source = sourceNamed(pipeline, file.source);
          const ledger = await plan.loadedVersion(db, file);
          if (ledger?.sha256 === file.sha256) {
            skipped.push(file.path);
            await db.update(sourceFiles).set({ action: 'unchanged' }).where(eq(sourceFiles.id, file.id));
            log.info(
              { file: file.path, sha256: file.sha256, loadedBy: ledger.runKey },
              'input unchanged since it was loaded: skipped',
            );
            continue;
          }
          checkFreshness(file, source, run.businessDate);
          const parse =
            source.kind === 'sql'
              ? { ...SQL_LANDED_PARSE, nullTokens: [...SQL_LANDED_PARSE.nullTokens], dateFormats: {} }
              : source.parse;
          const stageStart = performance.now();
          await plan.supersede(conn, { file, ledger });
          const staged = await stageFile({
            conn,
            rejectConn: side,
            runKey,
            pipeline,
            rowLayout: plan.rows,
            file,
            parse,
            contract: source.contract,
            isoDates: source.kind === 'sql',
            method,
            into: plan.target(tables, file),
            rejects: tables.rejects,
          });
          timings.stageMs += Math.round(performance.now() - stageStart);
          inputs.push({ file, ledger, staged });
          log.info(
            { file: file.path, read: staged.read, loaded: staged.loaded, rejected: staged.rejected, method },
            'input loaded',
          );
          await progress(Math.round(((i + 1) / files.length) * 90));
        }
        publishStart = performance.now();
        if (inputs.length > 0) await publishStaged(conn, runKey, tables, inputs, plan.publish);
      });
      timings.publishMs = Math.round(performance.now() - publishStart);
    } catch (err) {
      if (err instanceof TooManyRejectsError) {
        const kept = await keepFailedRejects(conn, runKey, tables, pipeline.load.keptRejects);
        log.warn({ kept }, 'load refused: its first refused lines are kept in rejected_rows');
      }
      throw err;
    } finally {
      await dropStaging(conn, tables).catch((err: unknown) =>
        log.warn({ err }, 'could not drop the staging tables'),
      );
      await side.query('SELECT RELEASE_ALL_LOCKS()').catch(() => undefined);
      conn.release();
      side.release();
    }
    return loadSummary(inputs, skipped, notes, timings);
  },
});
