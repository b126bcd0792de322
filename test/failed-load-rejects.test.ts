import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndLoad } from './helpers/load-steps.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * The classic public purchase log: no header, columns padded with runs of spaces, YYYYMMDD dates,
 * CRLF. Read with a literal one-space separator, every line splits into 5-9 cells.
 */
function writePurchaseLog(dir: string): string {
  const lines = Array.from({ length: 200 }, (_, i) => {
    const customer = String(1 + (i % 40)).padStart(5, '0');
    const day = `199701${String(1 + (i % 28)).padStart(2, '0')}`;
    const count = String(1 + (i % 3)).padStart(2 + (i % 4));
    return `${customer} ${day} ${count} ${((i % 17) + 3.77).toFixed(2).padStart(5)}`;
  });
  const file = path.join(dir, 'purchases.txt');
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

function pipelineFor(file: string, delimiter: string) {
  return {
    name: 'cdlog',
    mode: 'transactions',
    sources: [
      {
        kind: 'file',
        name: 'log',
        path: file,
        parse: { delimiter, header: false, columns: ['customer', 'date', 'count', 'amount'] },
      },
    ],
    columns: { customerId: 'customer', timestamp: 'date', amount: 'amount', timestampFormat: 'YYYYMMDD' },
    load: { keptRejects: 50 },
    recipients: ['analyst@example.test'],
  };
}

describe('a load that fails for too many rejects', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let worker: CpdProcess;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('failedrejects', { SMTP_URL: smtp.url });
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
    await smtp?.close();
  });

  it('keeps its first refused lines with reasons, shows them in cpd status and the mail, and suggests the cause', async () => {
    const log = writePurchaseLog(t.tmp);
    const file = path.join(t.tmp, 'cdlog.json');
    writeFileSync(file, JSON.stringify(pipelineFor(log, ' ')));
    const runKey = 'cdlog@1997-03-01';
    const res = await runCpd(['run', '--pipeline', file, '--date', '1997-03-01', '--wait'], t.env);
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(1);

    // The first 50 of 200 refused lines, in file order, with line, column and reason.
    const [rows] = await t.database.pool.query(
      "SELECT line, column_name AS col, reason FROM rejected_rows WHERE run_key = ? AND step = 'load' ORDER BY line",
      [runKey],
    );
    const kept = rows as { line: number; col: string | null; reason: string }[];
    expect(kept.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(kept.every((r) => r.col === null && /^expected 4 cells, found [5-9]$/.test(r.reason))).toBe(true);
    const [raw] = await t.database.pool.query(
      "SELECT COUNT(*) AS n FROM raw_transactions WHERE pipeline = 'cdlog'",
    );
    expect(Number((raw as { n: number }[])[0]!.n)).toBe(0);

    const status = await runCpd(['status', runKey], t.env);
    expect(status.stdout).toContain('is the separator whitespace? try parse.delimiter: "whitespace"');
    expect(status.stdout).toContain('refused lines: 50 stored in rejected_rows, the first 10:');
    expect(status.stdout).toMatch(/purchases\.txt line 1: expected 4 cells, found [5-9]/);

    await expect.poll(() => smtp.received.length, { timeout: 60_000 }).toBeGreaterThan(0);
    const mail = smtp.received.find((m) => m.subject?.includes('cdlog'))!;
    expect(mail.text).toContain('try parse.delimiter: "whitespace"');
    expect(mail.text).toContain('first refused: line 1');

    // The right option loads every line; the kept rejects of the failed attempt are replaced.
    writeFileSync(file, JSON.stringify(pipelineFor(log, 'whitespace')));
    const fixed = await collectAndLoad(t.database, t.config, pipelineFor(log, 'whitespace'), '1997-03-01');
    expect([fixed.load.rowsIn, fixed.load.rowsOut, fixed.load.rowsRejected]).toEqual([200, 200, 0]);
    const [left] = await t.database.pool.query('SELECT COUNT(*) AS n FROM rejected_rows WHERE run_key = ?', [
      runKey,
    ]);
    expect(Number((left as { n: number }[])[0]!.n)).toBe(0);
  }, 180_000);
});
