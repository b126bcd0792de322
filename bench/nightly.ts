/**
 * npm run bench:nightly [-- --customers 1000000 --lines 10000000 --workers 1 --keep]
 * The whole night at scale: generates the seeded transactions CSV (bench/gen-transactions.ts,
 * kept in bench/.data/ and reused), then runs `cpd run --wait` through real `cpd worker`
 * processes on the real MySQL/Redis (a bench database and queue prefix of its own), with the
 * server's own max_allowed_packet. Reference, measured in the same run: the bare
 * `LOAD DATA LOCAL INFILE` of the raw file by the mariadb/mysql CLI into a plain table.
 * Ends with `bench nightly: seconds=<wall> customers=<scored> lines=<n> rss_mb=<max worker peak RSS>
 * steps=<step:s,...> ref_seconds=<bare LOAD DATA> ratio=<seconds ÷ ref_seconds>`; a night that
 * failed prints the same line (each step's last attempt) with `status=failed:<step>` and exits 1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { connectionOptions } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { deleteRedisPrefix } from '../test/helpers/test-env.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = path.join(ROOT, 'bench', '.data');
const DATE = '2024-10-01';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    lines: { type: 'string', default: '10000000' },
    workers: { type: 'string', default: '1' },
    /** Keep the bench database afterwards (to replay a step's statements by hand). */
    keep: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const lines = Number(values.lines);
const nWorkers = Number(values.workers);

function generate(): string {
  mkdirSync(DATA, { recursive: true });
  const csv = path.join(DATA, `nightly-${customers}-${lines}.csv`);
  if (!existsSync(csv)) {
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/gen-transactions.ts',
        '--customers',
        String(customers),
        '--lines',
        String(lines),
        '--seed',
        '1',
        '--out',
        csv,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
  }
  return csv;
}

/**
 * The shipped online-retail pipeline pointed at the generated file (same columns); its contract
 * is dropped, since the generator's customer ids have 8 digits, not the UCI file's 5.
 */
function writePipeline(dir: string, csv: string): string {
  const file = path.join(dir, 'nightly.json');
  const base = JSON.parse(
    readFileSync(path.join(ROOT, 'config', 'pipelines', 'online-retail.json'), 'utf8'),
  ) as {
    sources: { contract?: unknown }[];
  } & Record<string, unknown>;
  const { contract: _contract, ...source } = base.sources[0]!;
  const { schedule: _schedule, ...rest } = base;
  const pipeline = {
    ...rest,
    name: 'nightly',
    description: 'bench:nightly, generated transactions',
    sources: [{ ...source, path: csv }],
    recipients: ['bench@localhost'],
    // The generated file stays in bench/.data/ (reused across runs): that folder is a data root.
    dataRoots: [path.dirname(csv)],
    label: { horizonDays: 90, snapshots: 1, cutoff: DATE },
  };
  writeFileSync(file, JSON.stringify(pipeline, null, 2));
  return file;
}

/** Peak resident set of a live process (VmHWM), in MB; 0 once it has exited. */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The reference: the CLI's bare LOAD DATA LOCAL INFILE of the raw file into a plain table. */
function loadDataReference(url: string, csv: string): number {
  const u = new URL(url);
  const cli = existsSync('/usr/bin/mariadb') ? 'mariadb' : 'mysql';
  const args = [
    '--local-infile=1',
    `-h${u.hostname}`,
    `-P${u.port || '3306'}`,
    `-u${decodeURIComponent(u.username)}`,
    ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []),
    u.pathname.slice(1),
  ];
  const sql = (s: string) => execFileSync(cli, [...args, '-e', s], { stdio: ['ignore', 'pipe', 'inherit'] });
  sql(
    'DROP TABLE IF EXISTS ref_raw; CREATE TABLE ref_raw (id BIGINT AUTO_INCREMENT PRIMARY KEY, invoice VARCHAR(16), stock VARCHAR(64), description VARCHAR(255), quantity INT, invoice_date DATETIME, unit_price DOUBLE, customer_id VARCHAR(16), country VARCHAR(64))',
  );
  const started = performance.now();
  sql(
    `LOAD DATA LOCAL INFILE '${csv.replace(/'/g, "''")}' INTO TABLE ref_raw FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' IGNORE 1 LINES (invoice, stock, description, quantity, invoice_date, unit_price, customer_id, country)`,
  );
  const seconds = (performance.now() - started) / 1000;
  sql('DROP TABLE ref_raw');
  return seconds;
}

async function main(): Promise<void> {
  const csv = generate();
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cpd');
  // Per process: two benches (two engineers, or before/after) never share a database.
  const dbName = `cpd_bench_nightly_${process.pid}`;
  base.pathname = `/${dbName}`;
  const url = base.toString();
  const admin = await mysql.createConnection({ ...connectionOptions(url), database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await migrateDatabase(url);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cpd-bench-nightly-'));
  const env = {
    ...process.env,
    DATABASE_URL: url,
    CPD_QUEUE_PREFIX: `cpdbench_${process.pid}`,
    OUTBOX_DIR: path.join(tmp, 'outbox'),
    REPORT_DIR: path.join(tmp, 'reports'),
    DATA_DIR: path.join(tmp, 'data'),
    LOG_LEVEL: 'warn',
  };
  const pipeline = writePipeline(tmp, csv);
  const cpd = path.join(ROOT, 'bin', 'cpd.mjs');
  const workers = Array.from({ length: nWorkers }, () =>
    spawn(process.execPath, [cpd, 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const rss = new Map<number, number>();
  const sample = setInterval(() => {
    for (const w of workers) if (w.pid) rss.set(w.pid, Math.max(rss.get(w.pid) ?? 0, peakRssMb(w.pid)));
  }, 500);
  const load1 = os.loadavg()[0]!;
  try {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const run = spawn(
        process.execPath,
        [cpd, 'run', '--pipeline', pipeline, '--date', DATE, '--wait', '--timeout', '21600'],
        {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      run.on('exit', resolve);
    });
    const seconds = (performance.now() - started) / 1000;
    const conn = await mysql.createConnection(connectionOptions(url));
    // Every step's last attempt: a night that failed still shows where its time went and where it stopped.
    const [rows] = await conn.query(
      `SELECT s.step, s.status, s.duration_ms AS ms, s.rows_out AS rowsOut, s.details FROM step_runs s
        WHERE s.run_key = ? AND s.id = (SELECT MAX(id) FROM step_runs t WHERE t.run_key = s.run_key AND t.step = s.step) ORDER BY s.id`,
      [`nightly@${DATE}`],
    );
    await conn.end();
    const steps = rows as {
      step: string;
      status: string;
      ms: number;
      rowsOut: number | null;
      details: unknown;
    }[];
    const failed = steps.find((s) => s.status !== 'succeeded');
    if (code !== 0) process.exitCode = 1;
    const details = (d: unknown): Record<string, unknown> =>
      (typeof d === 'string' ? JSON.parse(d) : (d ?? {})) as Record<string, unknown>;
    const load = details(steps.find((s) => s.step === 'load')?.details);
    // Where the time went, beside the one bench line: load's two halves and each step's longest loop block.
    console.log(
      `load stage_s=${(Number(load.stageMs) / 1000).toFixed(1)} publish_s=${(Number(load.publishMs) / 1000).toFixed(1)}; event-loop max ms: ${steps.map((s) => `${s.step}:${String(details(s.details).eventLoopMaxMs)}`).join(',')}`,
    );
    const scored = steps.find((s) => s.step === 'score')?.rowsOut ?? 0;
    const ref = loadDataReference(url, csv);
    const rssMb = Math.round(Math.max(0, ...rss.values()));
    console.log(
      `load average at start ${load1.toFixed(1)}, at end ${os.loadavg()[0]!.toFixed(1)} (2 cores, shared)`,
    );
    console.log(
      `bench nightly: seconds=${seconds.toFixed(1)} customers=${scored} lines=${lines} rss_mb=${rssMb} steps=${steps.map((s) => `${s.step}:${(s.ms / 1000).toFixed(1)}`).join(',')} ref_seconds=${ref.toFixed(1)} ratio=${(seconds / ref).toFixed(2)}${code === 0 ? '' : ` status=failed:${failed?.step ?? 'run'}`}`,
    );
  } finally {
    clearInterval(sample);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
    if (values.keep) console.log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
    rmSync(tmp, { recursive: true, force: true });
    await deleteRedisPrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.CPD_QUEUE_PREFIX);
  }
}

await main();
