import type { PoolConnection } from 'mysql2/promise';
import { inTransaction } from '../db/transaction.ts';
import { PermanentError } from '../pipeline/errors.ts';
import type { Collected } from '../pipeline/sources/collected.ts';
import { collectFiles, SourceOutsideRootsError } from '../pipeline/sources/file-source.ts';
import { collectHttp } from '../pipeline/sources/http-source.ts';
import { landingDir } from '../pipeline/sources/land-file.ts';
import { sourceName } from '../pipeline/sources/source-name.ts';
import { collectSql } from '../pipeline/sources/sql-source.ts';
import { defineStep } from '../runner/step.ts';
import { nextPoke, type SourceWait, WaitForInputError } from '../runner/wait-for-input.ts';

/**
 * collect: finds every input of the run (files by glob, HTTP bodies, SQL query results; the last
 * two are landed under DATA_DIR) and fingerprints it (sha256, bytes). Load reads exactly these
 * files, checks the fingerprint again, and skips inputs whose sha256 is already loaded.
 */
export const collect = defineStep({
  name: 'collect',
  async handler({ run, pool, config, log, signal, waitingSince }) {
    const found: Collected[] = [];
    const dir = landingDir(config.DATA_DIR, run.pipeline.name, run.runKey);
    const secrets = config.sourceEnv ?? {};
    for (const [index, source] of run.pipeline.sources.entries()) {
      const name = sourceName(source, index);
      // A pipeline read from a file has its data roots; DATA_DIR is always one.
      const roots = run.pipeline.dataRoots && [...run.pipeline.dataRoots, config.DATA_DIR];
      if (source.kind === 'sql') found.push(await collectSql(source, name, dir, secrets));
      else {
        try {
          if (source.kind === 'file') found.push(...(await collectFiles(name, source.path, roots)));
          else found.push(await collectHttp(source, name, dir, secrets, signal));
        } catch (err) {
          // A refused path will not appear by waiting.
          if (!source.wait || err instanceof SourceOutsideRootsError) throw err;
          sensor(source.wait, name, err, waitingSince ?? Date.now());
        }
      }
      for (const f of found.filter((x) => x.source === name))
        log.info(
          { source: name, kind: f.kind, origin: f.origin, bytes: f.bytes, sha256: f.sha256 },
          'source collected',
        );
    }
    await inTransaction(pool, (conn) => recordCollected(conn, run.runKey, run.pipeline.name, found));
    return {
      rowsOut: found.length,
      details: {
        files: found.map((f) => ({
          source: f.source,
          kind: f.kind,
          origin: f.origin,
          bytes: f.bytes,
          sha256: f.sha256,
        })),
      },
    };
  },
});

/**
 * A source with `wait` that is not there yet (no file matches, the URL does not answer): look
 * again later without holding a worker, and fail "still missing" only at the timeout.
 */
function sensor(wait: SourceWait, name: string, err: unknown, waitingSince: number): never {
  const why = err instanceof Error ? err.message : String(err);
  const next = nextPoke(wait, waitingSince, Date.now());
  if (next.kind === 'timeout')
    throw new PermanentError(`source ${name}: still missing after ${next.waitedMinutes} minutes (${why})`, {
      cause: err,
    });
  throw new WaitForInputError(why, next.untilMs);
}

/**
 * Replaces the run's source_files rows, except that a row whose lines are in raw_transactions
 * (referenced by loaded_files) keeps its id: a rerun of the same date must find those lines again.
 */
async function recordCollected(
  conn: PoolConnection,
  runKey: string,
  pipeline: string,
  found: Collected[],
): Promise<void> {
  const [rows] = await conn.query(
    'SELECT id, source, origin FROM source_files WHERE run_key = ? FOR UPDATE',
    [runKey],
  );
  const existing = new Map(
    (rows as { id: number; source: string; origin: string }[]).map((r) => [`${r.source}\n${r.origin}`, r.id]),
  );
  const [referenced] = await conn.query('SELECT source_file_id AS id FROM loaded_files WHERE run_key = ?', [
    runKey,
  ]);
  const kept = new Set((referenced as { id: number }[]).map((r) => r.id));
  for (const f of found) {
    const key = `${f.source}\n${f.origin}`;
    const id = existing.get(key);
    const values = [f.kind, f.path, f.sha256, f.bytes, f.modifiedAt];
    if (id !== undefined && kept.has(id)) {
      await conn.query(
        "UPDATE source_files SET kind = ?, path = ?, sha256 = ?, bytes = ?, modified_at = ?, action = 'pending' WHERE id = ?",
        [...values, id],
      );
      existing.delete(key);
    } else {
      await conn.query(
        "INSERT INTO source_files (run_key, pipeline, source, origin, kind, path, sha256, bytes, modified_at, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
        [runKey, pipeline, f.source, f.origin, ...values],
      );
    }
  }
  for (const id of existing.values()) {
    if (!kept.has(id)) await conn.query('DELETE FROM source_files WHERE id = ?', [id]);
    // An input that vanished keeps its loaded lines (they accumulate); it is just not read again.
    else await conn.query("UPDATE source_files SET action = 'unchanged' WHERE id = ?", [id]);
  }
}
