/**
 * npm run bench:features [-- --sets synthetic,online-retail --retail FILE --fresh --horizon 90]
 * npm run bench:features [-- --csv FILE --date YYYY-MM-DD --name NAME]   (one CSV of your own)
 * npm run bench:features [-- --steps features|clean]   (one step: features on the previous run's clean orders)
 * Times the clean and features steps (cpd's own handlers) on transactions already in a bench
 * database's raw_transactions, per set:
 *  - synthetic: the generator's 10 M-line / 1 M-customer CSV in bench/.data/ (generated if missing), T = 2024-10-01;
 *  - online-retail: UCI Online Retail, T = 2011-09-10: the full file (541,909 lines) from
 *    `--retail FILE` or data/external/online_retail.csv.gz (download from UCI, see data/README.md),
 *    else the repository's slice data/online-retail-sample.csv.gz.
 * Each set lives in its own database, loaded once with LOAD DATA and reused (--fresh reloads);
 * loading is not timed (bench:load's job), nor is clearing earlier bench outputs. As a reference
 * measured in the same run (the machine is shared, timings are noisy), one full scan of the set's
 * raw lines: ratio = (clean + features) ÷ that scan.
 * Ends with the synthetic set's `bench features: lines/s=<lines ÷ (clean + features s)> customers=<scored> seconds=<clean + features> ratio=<…>`.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import mysql from 'mysql2/promise';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../config/logger.ts';
import { parsePipeline, type TransactionsPipeline } from '../config/pipeline.ts';
import { createDatabase, type Database } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { benchStepContext } from './step-context.ts';

const DATA = fileURLToPath(new URL('./.data/', import.meta.url));
const { values } = parseArgs({
  options: {
    retail: { type: 'string' },
    sets: { type: 'string', default: 'synthetic,online-retail' },
    csv: { type: 'string' },
    date: { type: 'string', default: '2024-10-01' },
    name: { type: 'string', default: 'custom' },
    horizon: { type: 'string', default: '90' },
    fresh: { type: 'boolean', default: false },
    // 'features' alone reuses the clean_orders an earlier run left (same lines); 'clean' alone skips features.
    steps: { type: 'string', default: 'clean,features' },
  },
});
const SETS: Record<string, { csv: string; date: string }> = {
  synthetic: { csv: `${DATA}transactions-10m.csv`, date: '2024-10-01' },
  'online-retail': { csv: retailCsv(), date: '2011-09-10' },
};

/** The full Online Retail file when the user has downloaded it, else the slice in the repository. */
function retailCsv(): string {
  if (values.retail) return values.retail;
  const full = fileURLToPath(new URL('../data/external/online_retail.csv.gz', import.meta.url));
  if (existsSync(full)) return full;
  console.log(
    'online-retail: data/external/online_retail.csv.gz not found (download it from UCI, see data/README.md); using the slice data/online-retail-sample.csv.gz',
  );
  return fileURLToPath(new URL('../data/online-retail-sample.csv.gz', import.meta.url));
}

/** Outputs of earlier bench runs: cleared before timing (a database of the bench's own). */
const OUTPUTS = [
  'clean_orders',
  'clean_drops',
  'customer_features',
  'feature_sets',
  'quality_results',
  'drift_results',
];

interface Result {
  name: string;
  lines: number;
  seconds: number;
  cleanSeconds: number;
  featureSeconds: number;
  scanSeconds: number;
  scored: number;
  summary: string;
}

async function benchSet(name: string, csv: string, date: string): Promise<Result> {
  if (!existsSync(csv)) {
    execFileSync(
      'node',
      [
        '--import',
        'tsx',
        'bench/gen-transactions.ts',
        '--customers',
        '1000000',
        '--lines',
        '10000000',
        '--days',
        '730',
        '--seed',
        '7',
        '--out',
        csv,
      ],
      { stdio: 'inherit' },
    );
  }
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cpd');
  // The synthetic set keeps the database name earlier runs loaded it into ('bench').
  base.pathname = `/cpd_bench_features_${(name === 'synthetic' ? 'bench' : name).replace(/\W/g, '_')}`;
  const config = loadConfig({ ...process.env, DATABASE_URL: base.toString(), LOG_LEVEL: 'warn' });
  if (values.fresh) {
    const admin = await mysql.createConnection({ uri: new URL('/', base).toString() });
    await admin.query(`DROP DATABASE IF EXISTS \`${base.pathname.slice(1)}\``);
    await admin.end();
  }
  await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  const pipeline = parsePipeline(
    {
      name: name === 'synthetic' ? 'bench' : name,
      mode: 'transactions',
      sources: [{ kind: 'file', path: csv }],
      columns: {
        customerId: 'CustomerID',
        timestamp: 'InvoiceDate',
        quantity: 'Quantity',
        unitPrice: 'UnitPrice',
        invoice: 'InvoiceNo',
        product: 'StockCode',
        country: 'Country',
      },
      label: { horizonDays: Number(values.horizon) },
    },
    'bench',
  ) as TransactionsPipeline;
  try {
    const lines = await ensureLoaded(database, pipeline.name, csv);
    const cleanToo = values.steps.split(',').includes('clean');
    for (const t of OUTPUTS.filter((x) => cleanToo || !x.startsWith('clean_')))
      await database.pool.query(`TRUNCATE TABLE ${t}`);
    const s0 = performance.now();
    await database.pool.query(
      'SELECT SUM(amount), COUNT(customer_id) FROM raw_transactions WHERE pipeline = ?',
      [pipeline.name],
    );
    const scanSeconds = (performance.now() - s0) / 1000;
    const ctx = benchStepContext(
      database,
      config,
      { runKey: `${pipeline.name}@${date}`, pipeline, businessDate: date },
      createLogger(config),
    );
    // This process's CPU seconds too: on a shared machine they move less with the neighbours' load than wall time.
    const u1 = process.cpuUsage();
    const t1 = performance.now();
    const c = cleanToo ? await clean.handler(ctx) : { details: 'skipped (--steps)' };
    const t2 = performance.now();
    const u2 = process.cpuUsage();
    // 'clean' alone: the features step's figures below read as zeros.
    const f = values.steps.split(',').includes('features')
      ? await features.handler(ctx)
      : {
          details: { rowsTrain: 0, rowsValid: 0, rowsScore: 0, baseRate: 0, baseRateValid: 0, snapshots: [] },
        };
    const t3 = performance.now();
    const u3 = process.cpuUsage();
    const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) =>
      ((b.user - a.user + b.system - a.system) / 1e6).toFixed(1);
    const d = f.details as {
      rowsTrain: number;
      rowsValid: number;
      rowsScore: number;
      baseRate: number;
      baseRateValid: number;
      snapshots: unknown;
      timings?: Record<string, number>;
    };
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(
      `${name}: clean ${((t2 - t1) / 1000).toFixed(1)} s (node cpu ${cpu(u1, u2)} s), ${JSON.stringify(c.details)}`,
    );
    console.log(
      `${name}: features ${((t3 - t2) / 1000).toFixed(1)} s (node cpu ${cpu(u2, u3)} s, main and threads), snapshots ${JSON.stringify(d.snapshots)}, phases (ms) ${JSON.stringify(d.timings)}`,
    );
    const summary = `train=${d.rowsTrain} (base rate ${pct(d.baseRate)}) valid=${d.rowsValid} (base rate ${pct(d.baseRateValid)}) score=${d.rowsScore}`;
    console.log(`${name}: populations at T=${date}, H=${values.horizon}: ${summary}`);
    return {
      name,
      lines,
      seconds: (t3 - t1) / 1000,
      cleanSeconds: (t2 - t1) / 1000,
      featureSeconds: (t3 - t2) / 1000,
      scanSeconds,
      scored: d.rowsScore,
      summary,
    };
  } finally {
    await database.close();
  }
}

/** Loads the CSV (Online Retail's column order) once; later runs reuse the lines. */
async function ensureLoaded(database: Database, pipeline: string, csv: string): Promise<number> {
  const [have] = await database.pool.query('SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline = ?', [
    pipeline,
  ]);
  const lines = Number((have as { n: number }[])[0]!.n);
  if (lines > 0) return lines;
  const t0 = performance.now();
  const conn = await database.pool.getConnection();
  try {
    await conn.query('SET @n = 1');
    const [res] = await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'bench.csv' INTO TABLE raw_transactions CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' IGNORE 1 LINES
            (@inv, @prod, @descr, @qty, @at, @price, @cust, @country)
            SET pipeline = ${conn.escape(pipeline)}, source_file_id = 1, line = (@n := @n + 1), invoice = @inv, product_code = @prod, description = LEFT(@descr, 255),
                quantity = @qty, invoiced_at = @at, unit_price = @price, amount = @qty * @price, customer_id = NULLIF(TRIM(@cust), ''), country = @country`,
      infileStreamFactory: () =>
        csv.endsWith('.gz') ? createReadStream(csv).pipe(createGunzip()) : createReadStream(csv),
    });
    const loaded = (res as { affectedRows: number }).affectedRows;
    console.log(
      `loaded ${loaded} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the figure)`,
    );
    return loaded;
  } finally {
    conn.release();
  }
}

function line(label: string, r: Result): string {
  return (
    `bench ${label}: lines/s=${Math.round(r.lines / r.seconds)} customers=${r.scored} seconds=${r.seconds.toFixed(1)} ratio=${(r.seconds / r.scanSeconds).toFixed(2)} ` +
    `clean_s=${r.cleanSeconds.toFixed(1)} features_s=${r.featureSeconds.toFixed(1)} scan_s=${r.scanSeconds.toFixed(1)} lines=${r.lines}`
  );
}

async function main(): Promise<void> {
  if (values.csv) {
    console.log(line('features', await benchSet(values.name, values.csv, values.date)));
    return;
  }
  const results = [];
  for (const name of values.sets.split(',')) {
    const set = SETS[name];
    if (!set) throw new Error(`--sets: unknown set "${name}" (${Object.keys(SETS).join(', ')})`);
    results.push(await benchSet(name, set.csv, set.date));
  }
  // The issue's figure (the 10 M-line synthetic set) last, the other sets before it.
  for (const r of results.filter((x) => x.name !== 'synthetic'))
    console.log(`${line(`features-${r.name}`, r)} ${r.summary}`);
  for (const r of results.filter((x) => x.name === 'synthetic')) console.log(line('features', r));
}

await main();
