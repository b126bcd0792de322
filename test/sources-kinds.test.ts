import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../config/env.ts';
import { connectionOptions } from '../db/client.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { BASE_DB_URL, createTestEnv, type TestEnv } from './helpers/test-env.ts';

const CSV = [
  'order_ref,client,placed,total',
  'A1,c1,03/11/2026 10:00,12.50',
  'A2,c2,04/11/2026 11:30,"1000.00"',
  'A3,c1,05/11/2026 09:15,-3.20',
  'A4,c3,31/11/2026 09:15,7.00',
  '',
].join('\n');

/** A shop that exports one line per order: no product, no country, its own date format. */
function orderPipeline(name: string, source: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    mode: 'transactions',
    maxRejectShare: 0.5,
    sources: [{ name: 'orders', ...source }],
    columns: {
      customerId: 'client',
      timestamp: 'placed',
      amount: 'total',
      invoice: 'order_ref',
      timestampFormat: 'DD/MM/YYYY HH:mm',
    },
  };
}

describe('sources: file, HTTP and SQL inputs against the real MySQL', () => {
  let t: TestEnv;
  let server: Server;
  let base: string;
  let shopDb: string;

  beforeAll(async () => {
    t = await createTestEnv('sources');
    server = createServer((req, res) => {
      if (req.url === '/orders.csv') res.writeHead(200, { 'content-type': 'text/csv' }).end(CSV);
      else if (req.url === '/broken') res.writeHead(500).end('boom');
      else if (req.url === '/login')
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><form>login</form>');
      else if (req.url === '/sneaky-html')
        res.writeHead(200, { 'content-type': 'text/plain' }).end('<html><body>error</body></html>');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(CSV), 3_000).unref();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The shop's operational database: a second database on the same server.
    shopDb = `${t.database.name}_shop`;
    const admin = await mysql.createConnection(connectionOptions(BASE_DB_URL));
    await admin.query(`CREATE DATABASE \`${shopDb}\``);
    await admin.query(
      `CREATE TABLE \`${shopDb}\`.orders (ref VARCHAR(10), client VARCHAR(10), placed DATETIME, total DECIMAL(10,2), note TEXT)`,
    );
    await admin.query(
      `INSERT INTO \`${shopDb}\`.orders VALUES ('S1','c1','2026-11-03 10:00:00',5.00,'a, "quoted" note'), ('S2',NULL,'2026-11-04 12:00:00',7.25,NULL), ('S3','c2','2026-11-05 08:00:00',1.00,'x')`,
    );
    await admin.end();
  });

  afterAll(async () => {
    server?.close();
    const admin = await mysql.createConnection(connectionOptions(BASE_DB_URL));
    await admin.query(`DROP DATABASE IF EXISTS \`${shopDb}\``);
    await admin.end();
    await t?.cleanup();
  });

  const withSecret = (name: string, value: string): Config => loadConfig({ ...t.env, [name]: value });
  const rows = async (pipeline: string) =>
    (
      await t.database.pool.query(
        'SELECT invoice, customer_id, invoiced_at, amount FROM raw_transactions WHERE pipeline = ? ORDER BY line',
        [pipeline],
      )
    )[0] as Record<string, unknown>[];

  it('HTTP: downloads the CSV, maps the columns and quarantines the impossible date', async () => {
    const res = await collectAndLoad(
      t.database,
      t.config,
      orderPipeline('http-ok', { kind: 'http', url: `${base}/orders.csv` }),
      '2026-11-20',
    );
    expect(res.load).toMatchObject({ rowsIn: 4, rowsOut: 3, rowsRejected: 1 });
    expect(await rows('http-ok')).toEqual([
      { invoice: 'A1', customer_id: 'c1', invoiced_at: new Date('2026-11-03T10:00:00Z'), amount: '12.5000' },
      {
        invoice: 'A2',
        customer_id: 'c2',
        invoiced_at: new Date('2026-11-04T11:30:00Z'),
        amount: '1000.0000',
      },
      { invoice: 'A3', customer_id: 'c1', invoiced_at: new Date('2026-11-05T09:15:00Z'), amount: '-3.2000' },
    ]);
    const [rej] = await t.database.pool.query(
      "SELECT line, column_name, reason, raw FROM rejected_rows WHERE run_key = 'http-ok@2026-11-20'",
    );
    expect(rej).toEqual([
      {
        line: 5,
        column_name: 'placed',
        reason: 'not a date in format DD/MM/YYYY HH:mm: "31/11/2026 09:15"',
        raw: 'A4,c3,31/11/2026 09:15,7.00',
      },
    ]);
  });

  it('HTTP 500 and a timeout are transient errors naming the source; an HTML page is permanent', async () => {
    const fail = (name: string, source: Record<string, unknown>) =>
      collectAndLoad(
        t.database,
        t.config,
        orderPipeline(name, { kind: 'http', ...source }),
        '2026-11-20',
      ).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    const e500 = await fail('http-500', { url: `${base}/broken` });
    expect(e500?.message).toMatch(/source orders: http:\/\/127\.0\.0\.1:\d+\/broken answered HTTP 500/);
    expect(e500).not.toBeInstanceOf(PermanentError);
    const slow = await fail('http-slow', { url: `${base}/slow`, timeoutMs: 300 });
    expect(slow?.message).toContain('did not answer within 300 ms');
    expect(slow).not.toBeInstanceOf(PermanentError);
    for (const url of [`${base}/login`, `${base}/sneaky-html`]) {
      const html = await fail('http-html', { url });
      expect(html).toBeInstanceOf(PermanentError);
      expect(html?.message).toContain('sent an HTML page');
    }
    const [[n]] = (await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline LIKE 'http-%' AND pipeline <> 'http-ok'",
    )) as unknown as [{ n: number }[]];
    expect(Number(n!.n)).toBe(0);
  });

  it('SQL: streams a query from another database (URL from the environment), NULLs and quotes intact', async () => {
    const url = new URL(BASE_DB_URL);
    url.pathname = `/${shopDb}`;
    const config = withSecret('CPD_SOURCE_SHOP_DB', url.toString());
    const pipeline = {
      name: 'sql-ok',
      mode: 'transactions',
      sources: [
        {
          kind: 'sql',
          name: 'shop',
          urlEnv: 'CPD_SOURCE_SHOP_DB',
          query: 'SELECT ref, client, placed, total, note FROM orders ORDER BY ref',
        },
      ],
      columns: {
        customerId: 'client',
        timestamp: 'placed',
        amount: 'total',
        invoice: 'ref',
        description: 'note',
        timestampFormat: 'DD/MM/YYYY HH:mm',
      },
    };
    const res = await collectAndLoad(t.database, config, pipeline, '2026-11-20');
    expect(res.load).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    const [got] = await t.database.pool.query(
      "SELECT invoice, customer_id, description, amount FROM raw_transactions WHERE pipeline = 'sql-ok' ORDER BY line",
    );
    expect(got).toEqual([
      { invoice: 'S1', customer_id: 'c1', description: 'a, "quoted" note', amount: '5.0000' },
      { invoice: 'S2', customer_id: null, description: null, amount: '7.2500' },
      { invoice: 'S3', customer_id: 'c2', description: 'x', amount: '1.0000' },
    ]);
    const missing = await collectAndLoad(
      t.database,
      config,
      {
        ...pipeline,
        name: 'sql-missing',
        sources: [{ ...pipeline.sources[0], query: 'SELECT * FROM no_such_table' }],
      },
      '2026-11-20',
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(missing).toBeInstanceOf(PermanentError);
    expect(missing?.message).toMatch(/source shop: the query failed: Table '.*no_such_table' doesn't exist/);
    const unset = await collectAndLoad(
      t.database,
      t.config,
      { ...pipeline, name: 'sql-unset' },
      '2026-11-20',
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(unset?.message).toBe('source shop: environment variable CPD_SOURCE_SHOP_DB (urlEnv) is not set');
  });

  it('files by glob: every matching export, .csv and .csv.gz, one source_files row each', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { gzipSync } = await import('node:zlib');
    const dir = `${t.tmp}/exports`;
    mkdirSync(dir);
    writeFileSync(`${dir}/orders-1.csv`, CSV);
    writeFileSync(`${dir}/orders-2.csv.gz`, gzipSync(CSV.replaceAll('A', 'B')));
    writeFileSync(`${dir}/readme.txt`, 'not data');
    const res = await collectAndLoad(
      t.database,
      t.config,
      orderPipeline('glob', { kind: 'file', path: `${dir}/orders-*` }),
      '2026-11-20',
    );
    expect(res.collect.rowsOut).toBe(2);
    expect(res.load).toMatchObject({ rowsIn: 8, rowsOut: 6, rowsRejected: 2 });
  });

  it('labeled mode: the shoppers slice lands in raw_rows, the same with LOAD DATA and with the forced insert fallback', async () => {
    const { pipeline } = writeShoppersSlice(t.tmp, 300);
    const raw = JSON.parse(readFileSync(pipeline, 'utf8')) as Record<string, unknown>;
    const a = await collectAndLoad(t.database, t.config, { ...raw, name: 'labeled-infile' }, '2026-11-20');
    const b = await collectAndLoad(
      t.database,
      t.config,
      { ...raw, name: 'labeled-insert', load: { method: 'insert' } },
      '2026-11-20',
    );
    expect(a.load).toMatchObject({ rowsIn: 300, rowsOut: 300, rowsRejected: 0 });
    expect(b.load).toMatchObject({ rowsIn: 300, rowsOut: 300, rowsRejected: 0 });
    const cells = async (runKey: string) =>
      (
        await t.database.pool.query('SELECT line, cells FROM raw_rows WHERE run_key = ? ORDER BY line', [
          runKey,
        ])
      )[0] as unknown[];
    expect(await cells('labeled-insert@2026-11-20')).toEqual(await cells('labeled-infile@2026-11-20'));
  });
});
