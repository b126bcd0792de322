import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.ts';
import { modelChunks, modelVersions, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { encodeModel, trainModel } from '../ml/engine.ts';
import { QUOTED_VALUE_MAX } from '../pipeline/errors.ts';
import { loadRunModel, saveModelVersion } from '../pipeline/registry/model-store.ts';
import { createMailer } from '../reports/mailer.ts';
import { runStep } from '../runner/run-step.ts';
import { defineStep } from '../runner/step.ts';
import { redisConnection } from '../workflows/queues.ts';
import { type DedicatedMariadb, startDedicatedMariadb } from './helpers/mariadb-server.ts';
import { scoringPipeline } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * MariaDB's max_allowed_packet cannot be lowered for one session, so this file starts a mariadbd
 * of its own with a 1 MiB packet limit (the shared server keeps its 16 MB) and runs cpd on it.
 */
const PACKET = 256 * 1024;

describe('models larger than the server packet limit; packet errors fail fast and stay short', () => {
  let dir: string;
  let server: DedicatedMariadb;
  let t: TestEnv;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cpd-packet-'));
    server = await startDedicatedMariadb(dir, { 'max-allowed-packet': String(PACKET) });
    t = await createTestEnv('packet', {
      DATABASE_URL: `${server.url}/cpd_t_packet_${process.pid}`,
      CPD_ATTEMPTS: '3',
    });
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a model bigger than max_allowed_packet is stored in chunks and loads back identical', async () => {
    const [vars] = await t.database.pool.query('SELECT @@max_allowed_packet AS p');
    expect(Number((vars as { p: number }[])[0]!.p)).toBe(PACKET);
    // Fully grown trees on noisy data: a forest whose gzipped bytes are several times the packet limit.
    const data = makeSynthetic({ nRows: 12_000, seed: 5 });
    const model = await trainModel(data, { nTrees: 40, minSamplesLeaf: 1, seed: 3 }, { threads: 2 });
    const runKey = 'packet@2026-11-20';
    const stored = await saveModelVersion(
      t.database.pool,
      {
        pipeline: 'packet',
        runKey,
        engine: model.engine,
        params: {},
        featureNames: model.featureNames,
        dataFingerprint: 'seeded',
        trainRows: data.nRows,
        fitMs: 0,
      },
      model,
    );
    expect(stored.bytes).toBeGreaterThan(2 * PACKET);
    expect(stored.chunks).toBeGreaterThan(2);

    // The same bytes as one row do not fit: the limit is real on this server.
    // (On a connection of its own: the server closes a connection that sent it too big a packet.)
    const whole = Buffer.concat(encodeModel(model));
    const own = await mysql.createConnection({ uri: t.config.DATABASE_URL });
    // The server answers error 1153 and hangs up; a client still writing the packet may see the
    // hang-up (ECONNRESET/EPIPE) first. Either way the row was refused.
    const refused = await own
      .execute('INSERT INTO model_chunks (version_id, seq, data) VALUES (0, 0, ?)', [whole])
      .then(
        () => 'stored',
        (err: { errno?: number; code?: string }) =>
          err.errno === 1153 ? 'ER_NET_PACKET_TOO_LARGE' : err.code,
      );
    expect(['ER_NET_PACKET_TOO_LARGE', 'ECONNRESET', 'EPIPE']).toContain(refused);
    own.destroy();

    const { version, model: back } = await loadRunModel(t.database.db, runKey);
    expect(version.modelBytes).toBe(stored.bytes);
    expect(Array.from(back.predictProba(data.columns))).toEqual(Array.from(model.predictProba(data.columns)));

    // A chunk altered behind the registry's back is refused by its checksum, never scored.
    await t.database.pool.execute(
      "UPDATE model_chunks SET data = CONCAT(SUBSTRING(data, 1, 100), X'00', SUBSTRING(data, 102)) WHERE version_id = ? AND seq = 1",
      [version.id],
    );
    await expect(loadRunModel(t.database.db, runKey)).rejects.toThrow(/cannot be loaded: stored .* sha256/);
    // Re-saving the run's model replaces its chunks whole (same version id, no leftovers).
    const again = await saveModelVersion(
      t.database.pool,
      { ...version, params: {}, featureNames: model.featureNames },
      model,
    );
    expect(again.id).toBe(version.id);
    const chunks = await t.database.db
      .select()
      .from(modelChunks)
      .where(eq(modelChunks.versionId, version.id));
    expect(chunks).toHaveLength(again.chunks);
    await loadRunModel(t.database.db, runKey);
  }, 120_000);

  it('a packet-too-big error fails the step at its first attempt, with no value in the message', async () => {
    const pipeline = scoringPipeline('toobig');
    const runKey = 'toobig@2026-11-20';
    await t.database.db.insert(pipelineRuns).values({
      runKey,
      pipeline: pipeline.name,
      businessDate: '2026-11-20',
      status: 'running',
      params: pipeline,
    });
    await t.database.db
      .insert(stepRuns)
      .values({ runKey, step: 'features', attempt: 1, status: 'succeeded' });
    // A step that writes one value larger than the packet limit, through Drizzle, as train once did.
    const blob = Buffer.alloc(PACKET + 4096, 0xab);
    let handled = 0;
    const tooBig = defineStep({
      name: 'train',
      async handler({ db }) {
        handled++;
        await db.insert(modelVersions).values({
          pipeline: pipeline.name,
          version: 1,
          runKey,
          engine: 'hist',
          params: { note: blob.toString('hex') },
          featureNames: [],
          dataFingerprint: 'x',
          trainRows: 0,
          fitMs: 0,
          modelBytes: blob.length,
          modelChunks: 1,
          modelSha256: 'x',
        });
        return {};
      },
    });
    const connection = redisConnection(t.config.REDIS_URL);
    const prefix = t.config.CPD_QUEUE_PREFIX;
    const queue = new Queue('train', { connection, prefix });
    const events = new QueueEvents('train', { connection, prefix });
    const log = createLogger({ LOG_LEVEL: 'silent' });
    const deps = {
      database: t.database,
      config: t.config,
      mailer: createMailer(t.config),
      log,
      worker: 'test',
    };
    const worker = new Worker('train', (job, _token, signal) => runStep(deps, tooBig, job, signal), {
      connection,
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('train', { runKey, step: 'train' }, { attempts: 3, backoff: 100 });
      await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/max_allowed_packet/);
      const failed = await queue.getJob(job.id!);
      expect(failed?.attemptsMade).toBe(1);
      expect(handled).toBe(1);
      const attempts = await t.database.db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'train')));
      expect(attempts.map((a) => [a.status, a.errorKind])).toEqual([['failed', 'permanent']]);
      const hex = blob.toString('hex');
      // Neither the ledger, nor BullMQ's failedReason and stack, repeat more than a few dozen characters of the value.
      for (const text of [
        attempts[0]!.error ?? '',
        failed?.failedReason ?? '',
        ...(failed?.stacktrace ?? []),
      ]) {
        expect(text.length).toBeLessThan(3000);
        expect(text).not.toContain(hex.slice(0, QUOTED_VALUE_MAX + 1));
      }
      expect(attempts[0]!.error).toMatch(/packet bigger than/);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      deps.mailer.close();
    }
  }, 120_000);
});
