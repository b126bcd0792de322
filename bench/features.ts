/**
 * npm run bench:features [-- --csv FILE --date YYYY-MM-DD --horizon 90 --reuse]
 * Loads a transactions CSV (Online Retail columns; default: the generator's 10 M-line /
 * 1 M-customer set in bench/.data/, generated if missing) into a fresh database's
 * raw_transactions, then times the clean and features steps on it (set-based SQL in MySQL).
 * Ends with `bench features: lines/s=<lines ÷ (clean + features seconds)> customers=<scored> seconds=<clean + features>`.
 * Loading is not timed: that is bench:load's job.
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
import { createDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { clean } from '../jobs/clean.ts';
import type { StepContext } from '../jobs/define-step.ts';
import { features } from '../jobs/features.ts';
import { createMailer } from '../reports/mailer.ts';

const DATA = fileURLToPath(new URL('./.data/', import.meta.url));
const { values } = parseArgs({
  options: {
    csv: { type: 'string', default: `${DATA}transactions-10m.csv` },
    date: { type: 'string', default: '2024-10-01' },
    horizon: { type: 'string', default: '90' },
    name: { type: 'string', default: 'bench' },
    reuse: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!existsSync(values.csv)) {
    execFileSync('node', ['--import', 'tsx', 'bench/gen-transactions.ts', '--customers', '1000000', '--lines', '10000000', '--days', '730', '--seed', '7', '--out', values.csv], { stdio: 'inherit' });
  }
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cpd');
  base.pathname = `/cpd_bench_features_${values.name.replace(/\W/g, '_')}`;
  const config = loadConfig({ ...process.env, DATABASE_URL: base.toString(), LOG_LEVEL: 'warn' });
  if (!values.reuse) {
    const admin = await mysql.createConnection({ uri: new URL('/', base).toString() });
    await admin.query(`DROP DATABASE IF EXISTS \`${base.pathname.slice(1)}\``);
    await admin.end();
  }
  await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  const pipeline = parsePipeline(
    { name: values.name, mode: 'transactions', sources: [{ kind: 'file', path: values.csv }], columns: { customerId: 'CustomerID', timestamp: 'InvoiceDate', quantity: 'Quantity', unitPrice: 'UnitPrice', invoice: 'InvoiceNo', product: 'StockCode', country: 'Country' }, label: { horizonDays: Number(values.horizon) } },
    'bench',
  ) as TransactionsPipeline;
  const [have] = await database.pool.query('SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline = ?', [pipeline.name]);
  let lines = Number((have as { n: number }[])[0]!.n);
  if (lines === 0) {
    const t0 = performance.now();
    const conn = await database.pool.getConnection();
    await conn.query('SET @n = 1');
    const [res] = await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'bench.csv' INTO TABLE raw_transactions CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' IGNORE 1 LINES
            (@inv, @prod, @descr, @qty, @at, @price, @cust, @country)
            SET pipeline = ${conn.escape(pipeline.name)}, source_file_id = 1, line = (@n := @n + 1), invoice = @inv, product_code = @prod, description = LEFT(@descr, 255),
                quantity = @qty, invoiced_at = @at, unit_price = @price, amount = @qty * @price, customer_id = NULLIF(TRIM(@cust), ''), country = @country`,
      infileStreamFactory: () => (values.csv.endsWith('.gz') ? createReadStream(values.csv).pipe(createGunzip()) : createReadStream(values.csv)),
    });
    conn.release();
    lines = (res as { affectedRows: number }).affectedRows;
    console.log(`loaded ${lines} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the figure)`);
  }
  const ctx: StepContext = {
    run: { runKey: `${pipeline.name}@${values.date}`, pipeline, businessDate: values.date },
    attempt: 1,
    db: database.db,
    pool: database.pool,
    config,
    mailer: createMailer(config),
    log: createLogger(config),
    signal: new AbortController().signal,
    progress: async () => {},
  };
  const t1 = performance.now();
  const c = await clean.handler(ctx);
  const t2 = performance.now();
  const f = await features.handler(ctx);
  const t3 = performance.now();
  const d = f.details as { rowsTrain: number; rowsValid: number; rowsScore: number; baseRate: number; baseRateValid: number; snapshots: unknown; warnings: string[] };
  console.log(`clean: ${((t2 - t1) / 1000).toFixed(1)} s, ${JSON.stringify(c.details)}`);
  console.log(`features: ${((t3 - t2) / 1000).toFixed(1)} s, snapshots ${JSON.stringify(d.snapshots)}`);
  console.log(`populations: train ${d.rowsTrain} (base rate ${(d.baseRate * 100).toFixed(1)} %), valid ${d.rowsValid} (base rate ${(d.baseRateValid * 100).toFixed(1)} %), score ${d.rowsScore}`);
  console.log(`warnings: ${JSON.stringify(d.warnings)}`);
  const seconds = (t3 - t1) / 1000;
  await database.close();
  console.log(`bench features: lines/s=${Math.round(lines / seconds)} customers=${d.rowsScore} seconds=${seconds.toFixed(1)}`);
}

await main();
