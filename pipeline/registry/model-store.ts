import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { constants, createGunzip, createGzip } from 'node:zlib';
import { and, eq, sql } from 'drizzle-orm';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { Db } from '../../db/client.ts';
import { modelChunks, modelVersions, runModels } from '../../db/schema/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { decodeModel, encodeModel, type Model } from '../../ml/engine.ts';
import { PermanentError } from '../errors.ts';
import { readAlias } from './aliases.ts';

export type ModelVersion = typeof modelVersions.$inferSelect;
export type NewModelVersion = Omit<
  typeof modelVersions.$inferInsert,
  'id' | 'version' | 'modelBytes' | 'modelChunks' | 'modelSha256'
>;

/**
 * Largest chunk row: 1 MiB, or a quarter of the server's max_allowed_packet if that is smaller,
 * so one chunk's INSERT (binary protocol: the bytes as they are, plus a few dozen of framing)
 * fits any server, whatever the model's size.
 */
export const MODEL_CHUNK_BYTES = 1 << 20;

export interface StoredModel {
  bytes: number;
  chunks: number;
  sha256: string;
}

/**
 * Inserts or replaces (same run key) a version row and its model, in one transaction: readers see
 * the old version whole or the new one whole, never a row without its chunks. A new version takes
 * the pipeline's next number in the same transaction (a retried attempt keeps its number), and
 * the run is linked to it in run_models. The model is encoded as typed arrays (no big JSON),
 * gzipped on libuv's thread pool and written chunk by chunk as the compressor produces them.
 */
export async function saveModelVersion(
  pool: Pool,
  row: NewModelVersion,
  model: Model,
  /** More writes that belong with the version (warnings, scores): committed with it or not at all. */
  alongside?: (conn: PoolConnection) => Promise<void>,
): Promise<{ id: number; version: number } & StoredModel> {
  // The pipeline's counter row exists before the transaction (committed at once, holding nothing):
  // inserting a new key inside it would make concurrent first saves of a pipeline deadlock on it.
  await pool.query('INSERT IGNORE INTO model_version_numbers (pipeline, last_version) VALUES (?, 0)', [
    row.pipeline,
  ]);
  return retryOnDeadlock(() =>
    inTransaction(pool, async (conn, tx) => {
      // Plain reads, no FOR UPDATE: a locking read of a missing key takes a gap lock, and two
      // runs' inserts into the same gap deadlock. One run's train attempts never overlap.
      const [mine] = await tx
        .select({ version: modelVersions.version })
        .from(modelVersions)
        .where(eq(modelVersions.runKey, row.runKey));
      const number = mine?.version ?? (await nextVersionNumber(conn, row.pipeline));
      const placeholder = { ...row, version: number, modelBytes: 0, modelChunks: 0, modelSha256: '' };
      await tx
        .insert(modelVersions)
        .values(placeholder)
        .onDuplicateKeyUpdate({ set: { ...placeholder, createdAt: sql`CURRENT_TIMESTAMP(3)` } });
      const [version] = await tx
        .select({ id: modelVersions.id })
        .from(modelVersions)
        .where(eq(modelVersions.runKey, row.runKey));
      if (!version) throw new Error(`model version of ${row.runKey} vanished inside its own transaction`);
      const stored = await writeModelChunks(conn, version.id, model, mine !== undefined);
      await tx
        .update(modelVersions)
        .set({ modelBytes: stored.bytes, modelChunks: stored.chunks, modelSha256: stored.sha256 })
        .where(eq(modelVersions.id, version.id));
      await linkRunModel(conn, row.runKey, row.pipeline, version.id, false);
      await alongside?.(conn);
      return { id: version.id, version: number, ...stored };
    }),
  );
}

/**
 * The pipeline's next version number, taken inside the caller's transaction: the counter row is
 * locked until commit (two runs of one pipeline take turns; other pipelines have their own row),
 * and a rollback gives the number back, so numbers have no gaps.
 */
async function nextVersionNumber(conn: PoolConnection, pipeline: string): Promise<number> {
  // Versions stored before the counter existed: a plain read, the counter row's lock serialises.
  const [max] = await conn.query(
    'SELECT COALESCE(MAX(version), 0) AS n FROM model_versions WHERE pipeline = ?',
    [pipeline],
  );
  await conn.query(
    'UPDATE model_version_numbers SET last_version = GREATEST(last_version, ?) + 1 WHERE pipeline = ?',
    [Number((max as { n: number }[])[0]?.n ?? 0), pipeline],
  );
  const [rows] = await conn.query('SELECT last_version AS n FROM model_version_numbers WHERE pipeline = ?', [
    pipeline,
  ]);
  const n = (rows as { n: number }[])[0]?.n;
  if (n === undefined) throw new Error(`no version counter for ${pipeline} inside its own transaction`);
  return Number(n);
}

/**
 * Concurrent saves of different pipelines can still meet in an index gap (InnoDB picks a victim);
 * the victim's transaction rolled back whole, so running it again is safe and cheaper than
 * failing the train attempt and refitting.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const e = err as { errno?: number; cause?: { errno?: number } };
      if (attempt >= tries || (e.errno ?? e.cause?.errno) !== 1213) throw err;
    }
  }
}

/** Records which version a run used (trained or reused); the caller holds the transaction. */
export async function linkRunModel(
  conn: PoolConnection,
  runKey: string,
  pipeline: string,
  versionId: number,
  reused: boolean,
): Promise<void> {
  await conn.query(
    `INSERT INTO run_models (run_key, pipeline, version_id, reused) VALUES (?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE pipeline = VALUES(pipeline), version_id = VALUES(version_id),
       reused = VALUES(reused), updated_at = CURRENT_TIMESTAMP(3)`,
    [runKey, pipeline, versionId, reused],
  );
}

/** Writes (replacing: replaces) a version's chunks; the caller holds the transaction. */
async function writeModelChunks(
  conn: PoolConnection,
  versionId: number,
  model: Model,
  replacing: boolean,
): Promise<StoredModel> {
  const [packet] = await conn.query('SELECT @@max_allowed_packet AS p');
  const limit = Number((packet as { p: number }[])[0]?.p ?? MODEL_CHUNK_BYTES);
  const chunkBytes = Math.max(1024, Math.min(MODEL_CHUNK_BYTES, Math.floor(limit / 4)));
  // Only a replaced version has chunks: a DELETE of none would gap-lock where other versions insert.
  if (replacing) await conn.execute('DELETE FROM model_chunks WHERE version_id = ?', [versionId]);
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (all: boolean): Promise<void> => {
    let buf = Buffer.concat(pending, pendingBytes);
    while (buf.length >= chunkBytes || (all && buf.length > 0)) {
      const piece = buf.subarray(0, chunkBytes);
      // execute (binary protocol): the blob travels as bytes, not as a hex literal twice its size.
      await conn.execute('INSERT INTO model_chunks (version_id, seq, data) VALUES (?, ?, ?)', [
        versionId,
        seq++,
        piece,
      ]);
      buf = buf.subarray(piece.length);
    }
    pending = buf.length ? [buf] : [];
    pendingBytes = buf.length;
  };
  await streamPipeline(
    Readable.from(encodeModel(model)),
    // Level 1: forests are mostly float64 noise; higher levels cost seconds for a few percent.
    createGzip({ level: constants.Z_BEST_SPEED }),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < chunkBytes) return done();
        flush(false).then(() => done(), done);
      },
      final(done) {
        flush(true).then(() => done(), done);
      },
    }),
  );
  return { bytes, chunks: seq, sha256: hash.digest('hex') };
}

/**
 * A version's model, streamed in chunk by chunk through gunzip; its size and sha256 must match
 * the registry row, else the model is refused (a truncated or altered model never scores).
 */
export async function readModel(db: Db, version: ModelVersion): Promise<Model> {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; seq < version.modelChunks; seq++) {
      const [chunk] = await db
        .select({ data: modelChunks.data })
        .from(modelChunks)
        .where(and(eq(modelChunks.versionId, version.id), eq(modelChunks.seq, seq)));
      if (!chunk) throw corrupt(version, `chunk ${seq} of ${version.modelChunks} is missing`);
      hash.update(chunk.data);
      bytes += chunk.data.length;
      yield chunk.data;
    }
    const sha = hash.digest('hex');
    if (bytes !== version.modelBytes || sha !== version.modelSha256)
      throw corrupt(
        version,
        `stored ${bytes} bytes with sha256 ${sha.slice(0, 12)}…, the registry says ${version.modelBytes} bytes, ${version.modelSha256.slice(0, 12)}…`,
      );
  }
  if (version.modelChunks < 1) throw corrupt(version, 'it has no stored model');
  const out: Buffer[] = [];
  await streamPipeline(
    Readable.from(chunks()),
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return decodeModel(Buffer.concat(out));
}

function corrupt(version: ModelVersion, why: string): PermanentError {
  return new PermanentError(
    `model ${version.pipeline} v${version.version} (${version.runKey}) cannot be loaded: ${why}`,
  );
}

/**
 * The version a run used: the one its train step linked (trained, or reused from an earlier run
 * with the same data and parameters), else the one it trained (rows from before run_models).
 */
export async function findRunVersion(
  db: Db,
  runKey: string,
): Promise<{ version: ModelVersion; reused: boolean } | undefined> {
  const [linked] = await db
    .select({ version: modelVersions, reused: runModels.reused })
    .from(runModels)
    .innerJoin(modelVersions, eq(modelVersions.id, runModels.versionId))
    .where(eq(runModels.runKey, runKey));
  if (linked) return linked;
  const [own] = await db.select().from(modelVersions).where(eq(modelVersions.runKey, runKey));
  return own ? { version: own, reused: false } : undefined;
}

/** The model a run trained or reused, loaded back into memory. */
export async function loadRunModel(db: Db, runKey: string): Promise<{ version: ModelVersion; model: Model }> {
  const found = await findRunVersion(db, runKey);
  if (!found) throw new PermanentError(`no model for ${runKey}: the train step has not run`);
  return { version: found.version, model: await readModel(db, found.version) };
}

/**
 * The model tonight's scores come from: the pipeline's champion, as the evaluate step's
 * promotion decision (or `cpd promote`) left it. Never the run's own model by default: a
 * challenger that lost or failed the floor must not reach the published table.
 */
export async function loadScoringModel(
  db: Db,
  pipeline: string,
  runKey: string,
): Promise<{ version: ModelVersion; model: Model }> {
  const championId = await readAlias(db, pipeline, 'champion');
  if (championId === null) {
    throw new PermanentError(
      `model gate: pipeline ${pipeline} has no champion model to score ${runKey} with; see \`cpd models ${pipeline}\``,
    );
  }
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.id, championId));
  if (!version)
    throw new PermanentError(
      `model gate: the champion of ${pipeline} is model id ${championId}, which is not in model_versions`,
    );
  return { version, model: await readModel(db, version) };
}
