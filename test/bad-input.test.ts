import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../pipeline/errors.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const dir = path.join(import.meta.dirname, 'fixtures', 'bad-input');

interface Case {
  file: string;
  generated?: boolean;
  parse?: Record<string, unknown>;
  contract?: Record<string, unknown>;
  timestampFormat?: string;
  businessDate?: string;
  expect: {
    error?: string;
    /** A load refused for too many rejects keeps its first refused lines. */
    kept?: number;
    loaded?: number;
    rejected?: number;
    reasons?: Record<string, number>;
    warnings?: string[];
    contains?: string;
    blankLines?: number;
    rejectLines?: number[];
  };
}

const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { cases: Case[] };
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const GOOD =
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom';

/** The big and binary members of the corpus, written at test time rather than committed. */
function generate(tmp: string, file: string): string {
  const out = path.join(tmp, file);
  if (file === 'big-field-1mb.csv')
    writeFileSync(
      out,
      [
        HEADER,
        GOOD,
        `536366,85123A,${'A'.repeat(1 << 20)},6,2010-12-01 08:26:00,2.55,17850,United Kingdom`,
        GOOD,
        '',
      ].join('\n'),
    );
  else if (file === 'line-10mb.csv')
    writeFileSync(out, [HEADER, GOOD, `536367,${'Z'.repeat(10 << 20)}`, GOOD, ''].join('\n'));
  else if (file === 'truncated.csv.gz') {
    const gz = gzipSync([HEADER, ...Array.from({ length: 20_000 }, () => GOOD), ''].join('\n'));
    writeFileSync(out, gz.subarray(0, Math.floor(gz.length / 2)));
  } else throw new Error(`no generator for ${file}`);
  return out;
}

describe('bad-input corpus: every file gives a clear error or quarantined rows, never a partial load', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('badinput');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const count = async (sql: string, params: unknown[]) =>
    Number(((await t.database.pool.query(sql, params))[0] as { n: number }[])[0]!.n);

  it.each(manifest.cases.map((c, i) => [c.file, c, i] as const))('%s', async (_name, c, i) => {
    const name = `bad-${i}`;
    const file = c.generated ? generate(t.tmp, c.file) : path.join(dir, c.file);
    const pipeline = {
      name,
      mode: 'transactions',
      maxRejectShare: 0.5,
      sources: [
        { kind: 'file', name: 'input', path: file, parse: c.parse ?? {}, contract: c.contract ?? {} },
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
        ...(c.timestampFormat ? { timestampFormat: c.timestampFormat } : {}),
      },
    };
    const date = c.businessDate ?? '2026-11-20';
    const runKey = `${name}@${date}`;
    const run = collectAndLoad(t.database, t.config, pipeline, date);
    const stored = () => count('SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline = ?', [name]);
    const rejectedRows = () => count('SELECT COUNT(*) AS n FROM rejected_rows WHERE run_key = ?', [runKey]);
    if (c.expect.error) {
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as Error).message).toContain(c.expect.error);
      expect((err as PermanentError).location.source).toBeTruthy();
      expect(await stored()).toBe(0);
      expect(await rejectedRows()).toBe(c.expect.kept ?? 0);
    } else {
      const { load } = await run;
      const e = c.expect;
      expect({ loaded: load.rowsOut, rejected: load.rowsRejected }).toEqual({
        loaded: e.loaded,
        rejected: e.rejected,
      });
      expect(load.rowsIn).toBe(e.loaded! + e.rejected!);
      expect(await stored()).toBe(e.loaded);
      expect(await rejectedRows()).toBe(e.rejected);
      const details = load.details as {
        rejectsByReason: Record<string, number>;
        warnings: string[];
        files: { blankLines: number }[];
      };
      if (e.reasons) expect(details.rejectsByReason).toEqual(e.reasons);
      for (const w of e.warnings ?? []) expect(details.warnings).toContain(w);
      if (e.blankLines !== undefined) expect(details.files[0]!.blankLines).toBe(e.blankLines);
      if (e.contains)
        expect(
          await count(
            'SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline = ? AND (description = ? OR country = ?)',
            [name, e.contains, e.contains],
          ),
        ).toBe(1);
      if (e.rejectLines) {
        const [rows] = await t.database.pool.query(
          'SELECT line FROM rejected_rows WHERE run_key = ? ORDER BY line',
          [runKey],
        );
        expect((rows as { line: number }[]).map((r) => r.line)).toEqual(e.rejectLines);
      }
    }
    const [staging] = await t.database.pool.query("SHOW TABLES LIKE 'stg\\_load\\_%'");
    expect(staging).toEqual([]);
  });
});
