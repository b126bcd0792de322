/**
 * npm run bench:score — the whole score + publish path (chunked read of feature rows, predict,
 * top-3 reasons, deciles, LOAD DATA into staging, gates, history, RENAME swap) over 1 M synthetic
 * customers (--rows to change), through the real score step on the local MySQL.
 * Reference, measured in the same run: the bare write-back of the same number of rows (LOAD DATA
 * of id + score into a fresh table, then RENAME), the floor any publish has to pay.
 * `--workers N [--fan-out-rows R]`: the step runs as a job on N real `cpd worker --queues score`
 * processes instead of in this process, fanned out in chunks of R customers (scoring.fanOutRows):
 * the line then ends with workers=N chunks=K and rss is the largest worker's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { and, eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { loadConfig } from '../config/env.ts';
import { connectionOptions, createDatabase } from '../db/client.ts';
import { loadInfile } from '../db/load-infile.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { stepRuns } from '../db/schema/index.ts';
import { score } from '../jobs/score.ts';
import { stepJobId } from '../ledger/job-id.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { trainModel } from '../ml/engine.ts';
import { scoringPipeline, seedScoringNight, writeFeatureRows } from '../test/helpers/scoring-night.ts';
import { deleteRedisPrefix } from '../test/helpers/test-env.ts';
import { createQueues } from '../workflows/queues.ts';
import { benchStepContext } from './step-context.ts';

const SEED_CHUNK = 100_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      workers: { type: 'string', default: '0' },
      'fan-out-rows': { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const workers = Number(values.workers);
  const fanOutRows = values['fan-out-rows'] === undefined ? undefined : Number(values['fan-out-rows']);
  const config = loadConfig(process.env);
  const url = new URL(config.DATABASE_URL);
  url.pathname = `${url.pathname.replace(/^\//, '') || 'cpd'}_bench_score`;
  await migrateDatabase(url.toString());
  const database = createDatabase(url.toString());
  try {
    // The pipeline defaults (100 trees, depth 16), trained on a small sample: scoring cost is what matters here.
    const model = await trainModel(makeSynthetic({ nRows: 20_000, seed: 1 }), {
      nTrees: 100,
      maxDepth: 16,
      minSamplesLeaf: 2,
      seed: 42,
    });
    const pipeline = scoringPipeline('bench', fanOutRows ? { scoring: { fanOutRows } } : {});
    const t0 = performance.now();
    for (let start = 0; start < rows; start += SEED_CHUNK) {
      const n = Math.min(SEED_CHUNK, rows - start);
      const d = makeSynthetic({ nRows: n, seed: 1000 + start });
      const ids = Array.from({ length: n }, (_, i) => `cust-${String(start + i).padStart(8, '0')}`);
      const night = {
        runKey: 'bench@2026-11-24',
        businessDate: '2026-11-24',
        model,
        ids,
        columns: d.columns,
      };
      if (start === 0) await seedScoringNight(database, pipeline, night, rows);
      else await writeFeatureRows(database.pool, night.runKey, ids, d.columns);
    }
    console.log(
      `seeded ${rows} customers × ${model.featureNames.length} features in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    if (workers > 0) {
      const w = await viaWorkers(url.toString(), config.REDIS_URL, workers);
      const ref = await writeBackReference(url.toString(), rows);
      console.log(`score step on ${workers} worker(s): ${JSON.stringify(w.details)}`);
      console.log(
        `bench score: rows/s=${Math.round(rows / w.seconds)} seconds=${w.seconds.toFixed(1)} rss=${w.rss} ratio=${(w.seconds / ref).toFixed(2)} ref_seconds=${ref.toFixed(2)} workers=${workers} chunks=${w.chunks}`,
      );
      return;
    }
    const started = performance.now();
    const result = await score.handler(
      benchStepContext(database, config, {
        runKey: 'bench@2026-11-24',
        pipeline,
        businessDate: '2026-11-24',
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const rss = process.resourceUsage().maxRSS / 1024;
    const details = result.details as { kind: string; timings: Record<string, number> };
    console.log(
      `score step: ${JSON.stringify({ rowsOut: result.rowsOut, kind: details.kind, ...details.timings })}`,
    );
    const ref = await writeBackReference(url.toString(), rows);
    console.log(
      `reference: LOAD DATA of ${rows} (id, score) rows into a fresh table + RENAME: ${ref.toFixed(2)} s`,
    );
    console.log(
      `bench score: rows/s=${Math.round(rows / seconds)} seconds=${seconds.toFixed(1)} rss=${Math.round(rss)} ratio=${(seconds / ref).toFixed(2)} ref_seconds=${ref.toFixed(2)}`,
    );
  } finally {
    await database.close();
    const admin = await mysql.createConnection({ ...connectionOptions(url.toString()), database: undefined });
    await admin.query(`DROP DATABASE IF EXISTS \`${url.pathname.slice(1)}\``);
    await admin.end();
  }
}

const CPD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cpd.mjs');

/** Peak resident set of a live process (VmHWM), in MB. */
function peakRss(pid: number | undefined): number {
  const m = pid ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8')) : null;
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** The score step as the nightly flow runs it: a job on the score queue, served by `n` worker processes. */
async function viaWorkers(
  url: string,
  redisUrl: string,
  n: number,
): Promise<{ seconds: number; rss: number; chunks: number; details: unknown }> {
  const prefix = `cpdbench_score_${process.pid}`;
  const env = {
    ...process.env,
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    CPD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, [CPD, 'worker', '--queues', 'score'], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  const queues = createQueues({ REDIS_URL: redisUrl, CPD_QUEUE_PREFIX: prefix });
  const database = createDatabase(url);
  try {
    const queue = queues.queue('score');
    while ((await queue.getWorkersCount()) < n) await new Promise((r) => setTimeout(r, 200));
    const runKey = 'bench@2026-11-24';
    const started = performance.now();
    await queue.add(
      'score',
      { runKey, step: 'score' },
      { jobId: stepJobId(runKey, 1, 'score'), attempts: 1 },
    );
    for (;;) {
      const [row] = await database.db
        .select()
        .from(stepRuns)
        .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'score')));
      if (row?.status === 'failed') throw new Error(`score step failed: ${row.error}`);
      if (row?.status === 'succeeded') {
        const details = row.details as { chunks?: unknown[]; timings?: unknown };
        return {
          seconds: (performance.now() - started) / 1000,
          rss: Math.max(...procs.map((p) => peakRss(p.pid))),
          chunks: details.chunks?.length ?? 1,
          details: { timings: details.timings, chunks: details.chunks },
        };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => new Promise((r) => (p.exitCode === null ? p.once('exit', r) : r(null)))),
    );
    await queues.close();
    await database.close();
    await deleteRedisPrefix(redisUrl, prefix);
  }
}

async function writeBackReference(url: string, rows: number): Promise<number> {
  const pool = mysql.createPool({ ...connectionOptions(url), connectionLimit: 1 });
  const c = await pool.getConnection();
  try {
    await c.query('DROP TABLE IF EXISTS ref_next, ref_live');
    await c.query('CREATE TABLE ref_live (customer_id VARCHAR(191) PRIMARY KEY, score DOUBLE NOT NULL)');
    const started = performance.now();
    await c.query('CREATE TABLE ref_next (customer_id VARCHAR(191) PRIMARY KEY, score DOUBLE NOT NULL)');
    let i = 0;
    function* gen(): Generator<(string | number)[]> {
      for (; i < rows; i++) yield [`cust-${String(i).padStart(8, '0')}`, (i % 997) / 997];
    }
    await loadInfile(c, 'ref_next', ['customer_id', 'score'], gen(), () => i);
    await c.query('RENAME TABLE ref_live TO ref_old, ref_next TO ref_live');
    const seconds = (performance.now() - started) / 1000;
    await c.query('DROP TABLE ref_old, ref_live');
    return seconds;
  } finally {
    c.release();
    await pool.end();
  }
}

await main();
