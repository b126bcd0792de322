/**
 * npm run bench:score — the whole score + publish path (chunked read of feature rows, predict,
 * top-3 reasons, deciles, LOAD DATA into staging, gates, history, RENAME swap) over 1 M synthetic
 * customers (--rows to change), through the real score step on the local MySQL.
 * Reference, measured in the same run: the bare write-back of the same number of rows (LOAD DATA
 * of id + score into a fresh table, then RENAME), the floor any publish has to pay.
 */
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../config/logger.ts';
import { connectionOptions, createDatabase } from '../db/client.ts';
import { loadInfile } from '../db/load-infile.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { score } from '../jobs/score.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { trainModel } from '../ml/engine.ts';
import { createMailer } from '../reports/mailer.ts';
import { scoringPipeline, seedScoringNight, writeFeatureRows } from '../test/helpers/scoring-night.ts';

const SEED_CHUNK = 100_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
  const rows = Number(values.rows);
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
    const pipeline = scoringPipeline('bench');
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

    const log = createLogger({ LOG_LEVEL: 'warn' });
    const started = performance.now();
    const result = await score.handler({
      run: { runKey: 'bench@2026-11-24', pipeline, businessDate: '2026-11-24' },
      attempt: 1,
      db: database.db,
      pool: database.pool,
      config,
      mailer: createMailer(config),
      log,
      signal: new AbortController().signal,
      progress: async () => {},
    });
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
