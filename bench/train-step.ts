/**
 * npm run bench:train-step -- --from <database> [--run-key <key>] [--recopy] [--drop]
 * The train step alone, replayed on a night kept by `bench:nightly --keep` (or any cpd database):
 * the run's feature set and its training and validation rows are copied (read-only on the source)
 * into a bench database of its own, then train.handler runs there as the worker would run it.
 * Prints the step's phase timings and the kept model's validation ROC-AUC (all validation rows).
 * The copy is kept between runs (faster before/after comparisons) unless --drop; --recopy refreshes it.
 */
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { loadConfig } from '../config/env.ts';
import { parsePipeline } from '../config/pipeline.ts';
import { connectionOptions, createDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { train } from '../jobs/train.ts';
import { benchStepContext } from './step-context.ts';

/** Tables a train attempt reads (besides the feature rows) or writes; the written ones are emptied before each run. */
const WRITTEN = [
  'model_versions',
  'model_chunks',
  'run_models',
  'model_version_numbers',
  'known_outcome_scores',
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'run-key': { type: 'string' },
      recopy: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
    },
  });
  if (!values.from) throw new Error('--from <database>: the database of a kept night (bench:nightly --keep)');
  const source = values.from;
  const config = loadConfig(process.env);
  const url = new URL(config.DATABASE_URL);
  url.pathname = `${url.pathname.replace(/^\//, '') || 'cpd'}_bench_train`;
  const target = url.pathname.slice(1);
  await migrateDatabase(url.toString());
  const admin = await mysql.createConnection({ ...connectionOptions(url.toString()), database: undefined });
  try {
    const [runs] = await admin.query(
      `SELECT run_key, params FROM \`${source}\`.pipeline_runs ${values['run-key'] ? 'WHERE run_key = ?' : 'ORDER BY id DESC LIMIT 1'}`,
      values['run-key'] ? [values['run-key']] : [],
    );
    const run = (runs as { run_key: string; params: unknown }[])[0];
    if (!run) throw new Error(`no run ${values['run-key'] ?? ''} in ${source}.pipeline_runs`);
    const runKey = run.run_key;
    const [have] = await admin.query(
      `SELECT COUNT(*) AS n FROM \`${target}\`.feature_sets WHERE run_key = ?`,
      [runKey],
    );
    if (values.recopy || Number((have as { n: number }[])[0]!.n) === 0) {
      const t0 = performance.now();
      for (const table of ['pipeline_runs', 'feature_sets', 'customer_features'])
        await admin.query(`DELETE FROM \`${target}\`.${table} WHERE run_key = ?`, [runKey]);
      await copy(admin, source, target, 'pipeline_runs', 'run_key = ?', [runKey]);
      await copy(admin, source, target, 'feature_sets', 'run_key = ?', [runKey]);
      await copy(admin, source, target, 'customer_features', "run_key = ? AND role IN ('train', 'valid')", [
        runKey,
      ]);
      console.log(`copied ${runKey} from ${source} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const table of WRITTEN) await admin.query(`DELETE FROM \`${target}\`.${table}`);
    const params = typeof run.params === 'string' ? (JSON.parse(run.params) as unknown) : run.params;
    const pipeline = parsePipeline(params, `${source}.pipeline_runs`);
    const database = createDatabase(url.toString());
    try {
      const started = performance.now();
      // CPU of every thread of this process: on a shared machine, less noisy than wall time.
      const cpuStarted = process.cpuUsage();
      const result = await train.handler(
        benchStepContext(database, config, { runKey, pipeline, businessDate: runKey.split('@')[1] ?? '' }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStarted);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const d = result.details as {
        engine: string;
        timings?: Record<string, number>;
        candidates: { engine: string; value: number | null; chosen: boolean }[];
      };
      console.log(`train step: ${JSON.stringify(d)}`);
      const chosen = d.candidates.find((c) => c.chosen);
      console.log(
        `bench train-step: seconds=${seconds.toFixed(1)} cpuSeconds=${cpuSeconds.toFixed(1)} rows=${result.rowsIn} engine=${chosen?.engine ?? d.engine} value=${chosen?.value ?? 'null'} load=${(await loadAverage()).toFixed(2)}`,
      );
    } finally {
      await database.close();
    }
    if (values.drop) await admin.query(`DROP DATABASE IF EXISTS \`${target}\``);
  } finally {
    await admin.end();
  }
}

/** INSERT … SELECT of the target's columns (the source may be older or newer by additive columns). */
async function copy(
  c: mysql.Connection,
  source: string,
  target: string,
  table: string,
  where: string,
  params: unknown[],
): Promise<void> {
  const [cols] = await c.query(
    `SELECT a.COLUMN_NAME AS name FROM information_schema.COLUMNS a
     JOIN information_schema.COLUMNS b ON b.TABLE_SCHEMA = ? AND b.TABLE_NAME = a.TABLE_NAME AND b.COLUMN_NAME = a.COLUMN_NAME
     WHERE a.TABLE_SCHEMA = ? AND a.TABLE_NAME = ? ORDER BY a.ORDINAL_POSITION`,
    [source, target, table],
  );
  const list = (cols as { name: string }[]).map((x) => `\`${x.name}\``).join(', ');
  await c.query(
    `INSERT INTO \`${target}\`.${table} (${list}) SELECT ${list} FROM \`${source}\`.${table} WHERE ${where}`,
    params,
  );
}

async function loadAverage(): Promise<number> {
  const { loadavg } = await import('node:os');
  return loadavg()[0]!;
}

await main();
