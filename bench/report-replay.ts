/**
 * npm run bench:report -- --from <database> [--run-key <key>] [--dump <file>]
 * The report step replayed on a night kept by `bench:nightly --keep`: gatherReportData and the
 * published-scores digest timed on their own, then report.handler as the worker runs it (archive
 * in a temporary directory). The step writes a few rows (the run's end in the ledger, the brief's
 * digest, a mail the night had not sent yet): they are put back as the night left them, so the
 * kept database can be replayed again. --dump writes the gathered data and the digest as JSON
 * (without the next-run time, which moves with the clock) to compare two versions of the code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/env.ts';
import { parsePipeline } from '../config/pipeline.ts';
import { createDatabase } from '../db/client.ts';
import { report } from '../jobs/report.ts';
import { modeOf } from '../modes/index.ts';
import { publishedScoresDigest } from '../reports/gather/brief-scores.ts';
import { gatherReportData } from '../reports/gather/gather-report-data.ts';
import { benchStepContext } from './step-context.ts';

export interface ReplayOptions {
  from: string;
  runKey?: string;
  dump?: string;
}

type Row = Record<string, unknown>;

export async function replayReport(o: ReplayOptions): Promise<void> {
  const base = loadConfig(process.env);
  const url = new URL(base.DATABASE_URL);
  url.pathname = `/${o.from}`;
  const out = mkdtempSync(path.join(os.tmpdir(), 'cpd-bench-report-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: url.toString(), REPORT_DIR: out });
  const database = createDatabase(url.toString());
  const { pool } = database;
  try {
    const [runs] = await pool.query(
      `SELECT run_key, params, status, error, failed_step, finished_at FROM pipeline_runs ${o.runKey ? 'WHERE run_key = ?' : 'ORDER BY id DESC LIMIT 1'}`,
      o.runKey ? [o.runKey] : [],
    );
    const run = (runs as Row[])[0];
    if (!run) throw new Error(`no run ${o.runKey ?? ''} in ${o.from}.pipeline_runs`);
    const runKey = String(run.run_key);
    const params = typeof run.params === 'string' ? (JSON.parse(run.params) as unknown) : run.params;
    const pipeline = parsePipeline(params, `${o.from}.pipeline_runs`);
    const businessDate = runKey.split('@')[1] ?? '';
    const [briefs] = await pool.query('SELECT * FROM brief_scores WHERE run_key = ?', [runKey]);
    const [[outbox]] = (await pool.query('SELECT COALESCE(MAX(id), 0) AS id FROM email_outbox')) as [
      Row[],
      unknown,
    ];

    const t0 = performance.now();
    const data = await gatherReportData(pool, runKey, modeOf(pipeline).exploratorySample);
    const t1 = performance.now();
    const digest = await publishedScoresDigest(pool, data.pipeline, data.businessDate, runKey);
    const t2 = performance.now();
    if (o.dump) {
      const { nextRun: _moves, ...stable } = data;
      writeFileSync(o.dump, `${JSON.stringify({ data: stable, digest }, null, 1)}\n`);
    }
    const t3 = performance.now();
    try {
      await report.handler(benchStepContext(database, config, { runKey, pipeline, businessDate }));
    } finally {
      await restore(pool, run, (briefs as Row[]).map(withJson), Number(outbox?.id ?? 0));
    }
    const step = (performance.now() - t3) / 1000;
    const f = (ms: number) => (ms / 1000).toFixed(2);
    console.log(
      `bench report (replay of ${o.from}, ${runKey}): gather_seconds=${f(t1 - t0)} digest_seconds=${f(t2 - t1)} step_seconds=${step.toFixed(2)} scored=${digest.customers} list_rows=${data.brief?.list.length ?? 0} load=${os.loadavg()[0]?.toFixed(2)}`,
    );
  } finally {
    await database.close();
    rmSync(out, { recursive: true, force: true });
  }
}

/** brief_scores.top_ids comes back parsed; written back it must be JSON text again. */
function withJson(row: Row): Row {
  return { ...row, top_ids: JSON.stringify(row.top_ids) };
}

/** Puts back what the step wrote: the ledger's end of the run, the brief digests, new outbox rows. */
async function restore(
  pool: ReturnType<typeof createDatabase>['pool'],
  run: Row,
  briefs: Row[],
  outboxId: number,
): Promise<void> {
  await pool.query(
    'UPDATE pipeline_runs SET status = ?, error = ?, failed_step = ?, finished_at = ? WHERE run_key = ?',
    [run.status, run.error, run.failed_step, run.finished_at, run.run_key],
  );
  await pool.query('DELETE FROM brief_scores WHERE run_key = ?', [run.run_key]);
  for (const b of briefs) await pool.query('INSERT INTO brief_scores SET ?', [b]);
  await pool.query('DELETE FROM email_outbox WHERE id > ?', [outboxId]);
}
