import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepRuns } from '../db/schema/index.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, spawnCpd } from './helpers/processes.ts';
import { scoringPipeline, seedScoringNight } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const N = 6_000;
const DATE = '2026-11-24';
/** 1,500 rows a chunk: the night fans out as 4 child jobs. */
const FAN = { scoring: { fanOutRows: 1_500, chunkRows: 1_000 } };

interface ChunkRow {
  index: number;
  rows: number;
  worker: string;
  attempt: number;
}

/** The score step fanned out over real worker processes: both take chunks, and the table is exact. */
describe('score fan-out: chunks as child jobs over two worker processes', () => {
  let t: TestEnv;
  let queues: Queues;
  let model: Model;
  const workers: CpdProcess[] = [];
  const night = (() => {
    const d = makeSynthetic({ nRows: N, seed: 11 });
    // Some missing values: reasons for "not known" values and NaN-safe ranks go through the same path.
    for (let r = 0; r < N; r += 97) d.columns[3]![r] = NaN;
    return {
      ids: Array.from({ length: N }, (_, i) => `c${String((i * 7919) % N).padStart(6, '0')}`),
      columns: d.columns,
    };
  })();

  beforeAll(async () => {
    // A short lock: a killed worker's chunk is redelivered within seconds.
    t = await createTestEnv('fanout', { CPD_LOCK_DURATION_MS: '10000', CPD_STALLED_INTERVAL_MS: '3000' });
    queues = createQueues(t.config);
    model = await trainModel(
      makeSynthetic({ nRows: 3_000, seed: 3 }),
      { nTrees: 20, maxDepth: 10, seed: 1 },
      { threads: 1 },
    );
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queues?.close();
    await t?.cleanup();
  });

  function startWorker(extra: Record<string, string> = {}): CpdProcess {
    const w = spawnCpd(['worker', '--queues', 'score'], { ...t.env, ...extra });
    workers.push(w);
    return w;
  }

  /** Both processes are connected to the score queue, so the chunks can go to either. */
  async function workersReady(n: number): Promise<void> {
    await waitFor(
      `${n} score workers`,
      async () => (await queues.queue('score').getWorkersCount()) >= n,
      120_000,
      200,
    );
  }

  /** Seeds the night under `name` and runs its score step job as the nightly flow would; returns its step row. */
  async function scoreNight(name: string, overrides: Record<string, unknown>) {
    const pipeline = scoringPipeline(name, overrides);
    const runKey = `${name}@${DATE}`;
    await seedScoringNight(t.database, pipeline, { runKey, businessDate: DATE, model, ...night });
    await queues
      .queue('score')
      .add(
        'score',
        { runKey, step: 'score' },
        { jobId: stepJobId(runKey, 1, 'score'), attempts: 3, backoff: { type: 'fixed', delay: 200 } },
      );
    const row = await waitFor(
      `score step of ${runKey}`,
      async () => {
        const [r] = await t.database.db
          .select()
          .from(stepRuns)
          .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score')))
          .orderBy(desc(stepRuns.id))
          .limit(1);
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
      },
      240_000,
      200,
    );
    expect(row.error, 'the score step must succeed').toBeNull();
    expect(row.status).toBe('succeeded');
    return row;
  }

  async function published(name: string): Promise<unknown[][]> {
    const [rows] = await t.database.pool.query({
      sql: `SELECT customer_id, score, decile, segment, reasons, known_outcome FROM \`scores_${name}\` ORDER BY customer_id`,
      rowsAsArray: true,
    });
    return rows as unknown[][];
  }

  async function partTables(): Promise<string[]> {
    const [rows] = await t.database.pool.query(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'score\\_part\\_%'",
    );
    return (rows as { t: string }[]).map((r) => r.t);
  }

  it('both workers take chunks and the published table equals the single-worker one row for row', async () => {
    const a = startWorker();
    const b = startWorker();
    await workersReady(2);
    const solo = await scoreNight('solo', { scoring: { chunkRows: 1_000 } });
    expect(
      (solo.details as { chunks?: unknown }).chunks,
      'a night under fanOutRows is one piece',
    ).toBeUndefined();
    const fan = await scoreNight('fan', FAN);
    const chunks = (fan.details as { chunks: ChunkRow[] }).chunks;
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(chunks.map((c) => c.rows)).toEqual([1_500, 1_500, 1_500, 1_500]);
    const pids = new Set(chunks.map((c) => Number(c.worker.split(':').pop())));
    expect(pids, 'each worker process ran at least one chunk').toEqual(new Set([a.child.pid, b.child.pid]));
    expect(fan.rowsOut).toBe(N);

    const want = await published('solo');
    const got = await published('fan');
    expect(want).toHaveLength(N);
    expect(got).toEqual(want);
    expect(await partTables(), 'the chunks’ part tables are dropped once published').toEqual([]);
  }, 600_000);

  it('a worker killed midway through a chunk: the chunk is redelivered, the table still exact', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const doomed = startWorker({ CPD_FAULT: 'score.chunk-before-rename' });
    const survivor = startWorker();
    await workersReady(2);
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      doomed.child.once('exit', (_c, s) => resolve(s)),
    );
    const row = await scoreNight('kill', FAN);
    expect(await died).toBe('SIGKILL');
    expect(doomed.output()).toContain('fault point score.chunk-before-rename fired');
    const chunks = (row.details as { chunks: ChunkRow[] }).chunks;
    // The survivor finished every chunk, including the one the killed worker had loaded but not renamed.
    expect(chunks.map((c) => Number(c.worker.split(':').pop()))).toEqual(
      [4, 4, 4, 4].map(() => survivor.child.pid),
    );
    const got = await published('kill');
    expect(got).toHaveLength(N);
    expect(new Set(got.map((r) => r[0])).size).toBe(N);
    expect(got).toEqual(await published('solo'));
    expect(await partTables()).toEqual([]);
  }, 600_000);
});
