/**
 * npm run bench:load — cpd's loader (stream → CSV scan → data contract → TSV → LOAD DATA LOCAL)
 * against the `mariadb` CLI's own LOAD DATA LOCAL INFILE of the same file into the same typed
 * table, interleaved in the same run so the ratio holds on a noisy machine. The file is a
 * deterministic 1 M-row transactions CSV in the Online Retail shape (bench/.data/, reused).
 * With --whitespace, the same rows written as a padded whitespace-separated file (the classic
 * purchase-log shape) are loaded once with `parse.delimiter: "whitespace"` after the rounds:
 * `bench load-whitespace: cpd=<rows/s> csv=<cpd rows/s on the CSV, median> ratio=<ws ÷ csv>`.
 * Ends with: bench load: ratio=<cpd ÷ cli rows/s> cpd=<rows/s> cli=<rows/s> rss=<peak MB>
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { parsePipeline } from '../config/pipeline.ts';
import { connectionOptions } from '../db/client.ts';
import { modeOf } from '../modes/index.ts';
import { fingerprint } from '../pipeline/sources/file-source.ts';
import { stageFile } from '../pipeline/sources/stage-file.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '4' },
    method: { type: 'string', default: 'infile' },
    whitespace: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const DATA = fileURLToPath(new URL('./.data/', import.meta.url));
const CSV = `${DATA}transactions-${ROWS}.csv`;
const BASE = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cpd_bench_load';
const TABLE = 'bench_tx';

const WS = `${DATA}transactions-${ROWS}.txt`;
const pipelineFor = (path: string, ws: boolean) =>
  parsePipeline(
    {
      name: 'bench',
      mode: 'transactions',
      sources: [
        {
          kind: 'file',
          name: 'tx',
          path,
          ...(ws ? { parse: { delimiter: 'whitespace' } } : {}),
          contract: {
            columns: {
              InvoiceNo: { required: true, pattern: 'C?[0-9]{6}' },
              Quantity: { type: 'integer', required: true },
              UnitPrice: { type: 'number', min: 0, severity: 'warn' },
              Country: { required: true },
            },
          },
        },
      ],
      columns: {
        customerId: 'CustomerID',
        timestamp: 'InvoiceDate',
        quantity: 'Quantity',
        unitPrice: 'UnitPrice',
        invoice: 'InvoiceNo',
        product: 'StockCode',
        description: 'Description',
        country: 'Country',
        ...(ws ? { timestampFormat: 'YYYY-MM-DDTHH:mm:ss' } : {}),
      },
    },
    'bench',
  );
const pipeline = pipelineFor(CSV, false);

/** The CSV as a padded whitespace-separated file: blanks in values become _, empty cells NA. */
async function generateWhitespace(): Promise<void> {
  if (existsSync(WS)) return;
  const out = createWriteStream(`${WS}.partial`);
  const widths = [8, 7, 28, 4, 20, 6, 6, 15];
  const lines = createInterface({ input: createReadStream(CSV), crlfDelay: Infinity });
  let buf = '';
  for await (const line of lines) {
    const cells = line.replace(/"([^"]*)"/g, (_, q: string) => q.replaceAll(',', '')).split(',');
    cells[4] = cells[4]!.replace(' ', 'T');
    buf += `  ${cells.map((c, i) => (c === '' ? 'NA' : c.replaceAll(' ', '_')).padStart(widths[i]!)).join('  ')}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  execFileSync('mv', [`${WS}.partial`, WS]);
}

async function generate(): Promise<void> {
  if (existsSync(CSV)) return;
  mkdirSync(DATA, { recursive: true });
  const out = createWriteStream(`${CSV}.partial`);
  out.write('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n');
  const words = [
    'WHITE',
    'HANGING',
    'HEART',
    'T-LIGHT',
    'HOLDER',
    'LANTERN',
    'CREAM',
    'CUPID',
    'COAT',
    'HANGER',
    'SET OF 6',
    'MUG',
  ];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const cancel = rnd() < 0.02;
    const day = new Date(
      Date.UTC(2010, 11, 1) + Math.floor(rnd() * 370) * 86_400_000 + Math.floor(rnd() * 36_000) * 1000,
    );
    const desc = `${words[Math.floor(rnd() * 12)]} ${words[Math.floor(rnd() * 12)]}${rnd() < 0.05 ? ', ASSORTED' : ''}`;
    buf += `${cancel ? 'C' : ''}${536365 + Math.floor(i / 20)},${84000 + Math.floor(rnd() * 4000)},${desc.includes(',') ? `"${desc}"` : desc},${cancel ? -1 : 1 + Math.floor(rnd() * 24)},`;
    buf += `${day.toISOString().slice(0, 19).replace('T', ' ')},${(rnd() * 20).toFixed(2)},${rnd() < 0.25 ? '' : 12346 + Math.floor(rnd() * 5000)},United Kingdom\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  execFileSync('mv', [`${CSV}.partial`, CSV]);
}

async function main(): Promise<void> {
  await generate();
  const url = new URL(BASE);
  const admin = await mysql.createConnection({ ...connectionOptions(BASE), database: undefined });
  const dbName = url.pathname.slice(1);
  await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  await admin.end();
  const pool = mysql.createPool({ ...connectionOptions(BASE), connectionLimit: 3 });
  await pool.query(`CREATE TABLE rejected_rows (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, run_key VARCHAR(120) NOT NULL, step VARCHAR(32) NOT NULL, source VARCHAR(1024) NOT NULL,
    line INT, column_name VARCHAR(191), reason VARCHAR(500) NOT NULL, raw MEDIUMTEXT, created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
  await pool.query(`CREATE TABLE ${TABLE} (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, pipeline VARCHAR(64), source_file_id INT NOT NULL, line INT, invoice VARCHAR(64), product_code VARCHAR(64),
    description VARCHAR(255), quantity DECIMAL(14,3), invoiced_at DATETIME NOT NULL, unit_price DECIMAL(14,4), amount DECIMAL(16,4), customer_id VARCHAR(64), country VARCHAR(64))`);
  await pool.query(`CREATE TABLE ${TABLE}_rej LIKE rejected_rows`);
  const { sha256, bytes } = await fingerprint(CSV);
  const source = pipeline.sources[0]!;
  if (source.kind !== 'file') throw new Error('unreachable');
  const fileFor = (path: string, sha256: string, bytes: number) => ({
    id: 1,
    runKey: 'bench',
    pipeline: 'bench',
    source: 'tx',
    kind: 'file' as const,
    origin: path,
    path,
    sha256,
    bytes,
    modifiedAt: null,
    action: 'pending' as const,
    rows: null,
    rejected: null,
    header: null,
    collectedAt: new Date(),
  });
  const file = fileFor(CSV, sha256, bytes);

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cli: number[] = [];
  // Both loads must store the same values (the CLI keeps an empty CustomerID as '', cpd as NULL).
  const checksum = async () =>
    JSON.stringify(
      (
        (await pool.query(`SELECT COUNT(*) AS n, SUM(quantity) AS q, SUM(unit_price) AS p, COUNT(NULLIF(customer_id, '')) AS c,
        SUM(CRC32(CONCAT_WS('|', invoice, product_code, description, invoiced_at, country))) AS crc FROM ${TABLE}`)) as unknown as [
          unknown[],
        ]
      )[0][0],
    );
  const sums = new Set<string>();
  const cpd: number[] = [];
  const runCli = async () => {
    await pool.query(`TRUNCATE ${TABLE}`);
    const t0 = performance.now();
    const dsn = new URL(BASE);
    execFileSync('mariadb', [
      '--local-infile=1',
      '-h',
      dsn.hostname,
      '-P',
      dsn.port || '3306',
      '-u',
      dsn.username || 'root',
      dbName,
      '-e',
      `LOAD DATA LOCAL INFILE '${CSV}' INTO TABLE ${TABLE} CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' IGNORE 1 LINES
       (invoice, product_code, description, quantity, invoiced_at, unit_price, customer_id, country) SET source_file_id = 1`,
    ]);
    cli.push(ROWS / ((performance.now() - t0) / 1000));
    sums.add(await checksum());
  };
  const runCpd = async (p = pipeline, f = file, into: number[] = cpd) => {
    await pool.query(`TRUNCATE ${TABLE}`);
    await pool.query(`TRUNCATE ${TABLE}_rej`);
    const conn = await pool.getConnection();
    const side = await pool.getConnection();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const src = p.sources[0]!;
    if (src.kind !== 'file') throw new Error('unreachable');
    const staged = await stageFile({
      conn,
      rejectConn: side,
      runKey: 'bench',
      pipeline: p,
      rowLayout: modeOf(p).load.rows,
      file: f,
      parse: src.parse,
      contract: src.contract,
      isoDates: false,
      method: args.method === 'insert' ? 'insert' : 'infile',
      // The transactions mode's own target (constants, computed amount) on the bench table.
      into: { ...modeOf(p).load.target({ rows: TABLE, rejects: `${TABLE}_rej` }, f), table: TABLE },
      rejects: `${TABLE}_rej`,
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    into.push(staged.read / seconds);
    conn.release();
    side.release();
    if (staged.read !== ROWS || staged.loaded + staged.rejected !== staged.read)
      throw new Error(`cpd read ${staged.read}, loaded ${staged.loaded}, rejected ${staged.rejected}`);
    const [[check]] = (await pool.query(`SELECT COUNT(*) AS n FROM ${TABLE}`)) as unknown as [
      { n: number }[],
    ];
    if (Number(check!.n) !== staged.loaded)
      throw new Error(`table holds ${check!.n} rows, cpd loaded ${staged.loaded}`);
    // The whitespace file's values differ (blanks as _): its load is checked by counts only.
    if (into === cpd) sums.add(await checksum());
    return `node cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of ${seconds.toFixed(1)} s`;
  };
  for (let round = 0; round < Number(args.rounds); round++) {
    // Alternate who goes first: the second load of a round pays for flushing the first one's pages.
    let note: string;
    if (round % 2 === 0) {
      await runCli();
      note = await runCpd();
    } else {
      note = await runCpd();
      await runCli();
    }
    console.log(
      `round ${round + 1}: cli ${Math.round(cli.at(-1)!)} rows/s, cpd ${Math.round(cpd.at(-1)!)} rows/s (${note})`,
    );
  }
  const ws: number[] = [];
  if (args.whitespace) {
    await generateWhitespace();
    const fp = await fingerprint(WS);
    await runCpd(pipelineFor(WS, true), fileFor(WS, fp.sha256, fp.bytes), ws);
  }
  clearInterval(sampler);
  if (sums.size !== 1) throw new Error(`cpd and the CLI stored different values: ${[...sums].join(' vs ')}`);
  await pool.end();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [c, l] = [median(cpd), median(cli)];
  if (ws.length)
    console.log(
      `bench load-whitespace: cpd=${Math.round(ws[0]!)} csv=${Math.round(c)} ratio=${(ws[0]! / c).toFixed(2)} rows=${ROWS}`,
    );
  console.log(
    `bench load: ratio=${(c / l).toFixed(2)} cpd=${Math.round(c)} cli=${Math.round(l)} rss=${Math.round(peak / 2 ** 20)}MB rows=${ROWS} rounds=${cpd.length}`,
  );
}

await main();
