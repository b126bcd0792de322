/**
 * npm run bench:report — the whole report step's work for an Online Retail-sized night: gather
 * every section from MySQL, render (Vega-Lite → SVG → PNG for every chart), write the archive.
 * The night is seeded on the local MySQL (a temporary database) as the real score step leaves
 * it: 4,000 customers (--customers), published scores with reasons, yesterday's scores for the
 * movers, 30 nights of trend, labeled feature rows for the exploratory section.
 * Reference, measured in the same run: one chart (ROC) compiled and rasterised, so the ratio
 * reads "the report costs N charts" whatever the machine's load.
 * With --from <database> it replays the report step on a kept night instead (report-replay.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { loadConfig } from '../config/env.ts';
import { connectionOptions, createDatabase, type Database } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { score } from '../jobs/score.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { evaluateBinary } from '../ml/metrics.ts';
import { modeOf } from '../modes/index.ts';
import { rocChart } from '../reports/charts/roc-chart.ts';
import { gatherReportData } from '../reports/gather/gather-report-data.ts';
import {
  type RenderedPage,
  type RenderedReport,
  renderRunReport,
} from '../reports/render/render-run-report.ts';
import { writeReportArchive } from '../reports/render/write-archive.ts';
import { scoringPipeline, seedScoringNight } from '../test/helpers/scoring-night.ts';
import { replayReport } from './report-replay.ts';
import { benchStepContext } from './step-context.ts';

const PIPELINE = 'online-retail';
const TONIGHT = '2026-11-24';
const YESTERDAY = '2026-11-23';
const TREND_NIGHTS = 30;

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

/** Bytes on the wire, roughly: text parts as they are, binary parts base64 (4/3). */
function sizes(r: RenderedReport) {
  const bin = (parts: { length: number }[]) => Math.ceil((parts.reduce((n, p) => n + p.length, 0) * 4) / 3);
  const files = bin(r.attachments.map((a) => Buffer.from(a.content)));
  const mail = (page: RenderedPage) =>
    Buffer.byteLength(page.html) + Buffer.byteLength(page.text) + bin(page.images.map((i) => i.png)) + files;
  return {
    briefHtml: Buffer.byteLength(r.html),
    briefImages: r.images.length,
    briefMail: mail(r),
    cardHtml: Buffer.byteLength(r.card.html),
    cardImages: r.card.images.length,
    cardMail: mail(r.card),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '4000' },
      from: { type: 'string' },
      'run-key': { type: 'string' },
      dump: { type: 'string' },
    },
  });
  if (values.from) {
    await replayReport({ from: values.from, runKey: values['run-key'], dump: values.dump });
    return;
  }
  const customers = Number(values.customers);
  const config = loadConfig(process.env);
  const url = new URL(config.DATABASE_URL);
  url.pathname = `${url.pathname.replace(/^\//, '') || 'cpd'}_bench_report`;
  await dropDatabase(url.toString());
  await migrateDatabase(url.toString());
  const database = createDatabase(url.toString());
  const out = mkdtempSync(path.join(os.tmpdir(), 'cpd-bench-report-'));
  try {
    const data = makeSynthetic({ nRows: customers, seed: 7 });
    const model = await trainModel(data, { nTrees: 100, maxDepth: 16, minSamplesLeaf: 2, seed: 42 });
    const ids = Array.from({ length: customers }, (_, i) => `${12346 + i}`);
    await seedTrend(database);
    for (const [date, shift] of [
      [YESTERDAY, 0.15],
      [TONIGHT, 0],
    ] as const) {
      // Yesterday's customers differ a little, so tonight has movers.
      const columns = data.columns.map((c, f) =>
        f === 0 ? c.map((v, r) => v + (r % 7 === 0 ? shift * 10 : 0)) : c,
      );
      await seedNight(database, model, `${PIPELINE}@${date}`, date, ids, columns, data.labels);
    }
    console.log(
      `seeded ${customers} customers × ${data.columns.length} features, ${TREND_NIGHTS} nights of trend`,
    );

    const runKey = `${PIPELINE}@${TONIGHT}`;
    let sections: string[] = [];
    const once = async () => {
      // CPU time beside wall time: on a shared two-core machine wall time swings with other load.
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const gathered = await gatherReportData(
        database.pool,
        runKey,
        modeOf(scoringPipeline(PIPELINE)).exploratorySample,
      );
      const t1 = performance.now();
      const rendered = await renderRunReport(gathered);
      const t2 = performance.now();
      await writeReportArchive(rendered, path.join(out, PIPELINE, TONIGHT));
      const t3 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      sections = Object.keys(gathered).filter((k) => gathered[k as keyof typeof gathered] !== undefined);
      return {
        cpu: (cpu.user + cpu.system) / 1e6,
        gather: (t1 - t0) / 1000,
        render: (t2 - t1) / 1000,
        archive: (t3 - t2) / 1000,
        total: (t3 - t0) / 1000,
        charts: rendered.images.length + rendered.card.images.length,
        csvRows: gathered.brief?.list.length ?? 0,
        ...sizes(rendered),
      };
    };
    const cold = await once();
    const warm = [await once(), await once(), await once()].sort((a, b) => a.total - b.total)[1]!;
    const evaluation = evaluateBinary(data.labels, model.predictProba(data.columns), { rule: 'max-f1' });
    const refTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await rocChart(evaluation.roc, evaluation.rocAuc);
      refTimes.push((performance.now() - t) / 1000);
    }
    const ref = refTimes.sort((a, b) => a - b)[1]!;
    const f = (x: number) => x.toFixed(3);
    console.log(
      `cold (first report in a fresh process, loads vega/resvg): gather ${f(cold.gather)} s, render ${f(cold.render)} s, archive ${f(cold.archive)} s`,
    );
    console.log(
      `warm (median of 3): gather ${f(warm.gather)} s, render ${f(warm.render)} s, archive ${f(warm.archive)} s, CPU ${f(warm.cpu)} s; ${warm.charts} charts, ${warm.csvRows} CSV rows`,
    );
    console.log(`sections gathered: ${sections.join(', ')}`);
    console.log(
      `mail: brief HTML ${kb(warm.briefHtml)}, ${warm.briefImages} image(s), whole mail ~${kb(warm.briefMail)}; the model card as a mail (the old report) would be HTML ${kb(warm.cardHtml)}, ${warm.cardImages} images, ~${kb(warm.cardMail)}`,
    );
    console.log(
      `reference: one ROC chart compiled and rasterised: ${f(ref)} s; load average ${os.loadavg()[0]?.toFixed(2)}`,
    );
    console.log(
      `bench report: seconds=${f(cold.total)} warm_seconds=${f(warm.total)} cold_cpu_seconds=${f(cold.cpu)} warm_cpu_seconds=${f(warm.cpu)} render_seconds=${f(warm.render)} gather_seconds=${f(warm.gather)} ratio=${(warm.total / ref).toFixed(1)} ref_seconds=${f(ref)} customers=${customers} budget_seconds=2 brief_html_bytes=${warm.briefHtml} brief_mail_bytes=${warm.briefMail} card_mail_bytes=${warm.cardMail}`,
    );
  } finally {
    await database.close();
    rmSync(out, { recursive: true, force: true });
    await dropDatabase(url.toString());
  }
}

/** One night as the flow leaves it: scored and published by the real score step, plus what the report reads beside. */
async function seedNight(
  database: Database,
  model: Model,
  runKey: string,
  date: string,
  ids: string[],
  columns: Float64Array[],
  labels: Uint8Array,
): Promise<void> {
  const pipeline = scoringPipeline(PIPELINE);
  await seedScoringNight(database, pipeline, { runKey, businessDate: date, ids, columns, model });
  const config = loadConfig({ ...process.env, DATABASE_URL: '' });
  await score.handler(benchStepContext(database, config, { runKey, pipeline, businessDate: date }));
  const { pool } = database;
  const scores = model.predictProba(columns);
  const evaluation = evaluateBinary(labels, scores, { rule: 'max-f1' });
  const importance = model.featureImportance();
  const metrics = {
    ...evaluation,
    ...evaluation.atThreshold,
    prAuc: evaluation.averagePrecision,
    baseRate: evaluation.prevalence,
    featureImportance: model.featureNames
      .map((feature, i) => ({ feature, importance: importance[i] ?? 0 }))
      .sort((a, b) => b.importance - a.importance),
    validationRows: labels.length,
  };
  await pool.query('UPDATE model_versions SET metrics = ? WHERE run_key = ?', [
    JSON.stringify(metrics),
    runKey,
  ]);
  // Labeled rows for the exploratory section (the features step writes train/valid like this).
  const rows = ids.map((id, r) => {
    const vec = Buffer.alloc(columns.length * 8);
    columns.forEach((c, f) => vec.writeDoubleLE(c[r]!, f * 8));
    return [runKey, 'valid', id, labels[r], vec];
  });
  await pool.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [rows]);
  const steps = ['collect', 'load', 'clean', 'features', 'train', 'score'].map((step, i) => [
    runKey,
    step,
    1,
    'succeeded',
    1000 * (i + 1),
    ids.length,
  ]);
  await pool.query('INSERT INTO step_runs (run_key, step, attempt, status, duration_ms, rows_out) VALUES ?', [
    steps,
  ]);
  await pool.query(
    "INSERT INTO source_files (run_key, pipeline, source, path, sha256, bytes, `rows`) VALUES (?, ?, 'invoices', '/data/online_retail.csv', 'x', 45000000, 541909)",
    [runKey, PIPELINE],
  );
  const rejects = Array.from({ length: 200 }, (_, i) => [
    runKey,
    'load',
    '/data/online_retail.csv',
    i + 2,
    'CustomerID',
    i % 3 ? 'missing customer id' : 'negative quantity without a match',
    'raw',
  ]);
  await pool.query(
    'INSERT INTO rejected_rows (run_key, step, source, line, column_name, reason, raw) VALUES ?',
    [rejects],
  );
}

/** Earlier nights: only what the trend reads (ledger row, metrics, scored count). */
async function seedTrend(database: Database): Promise<void> {
  const { pool } = database;
  for (let i = TREND_NIGHTS; i >= 3; i--) {
    const d = new Date(`${TONIGHT}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - i);
    const date = d.toISOString().slice(0, 10);
    const runKey = `${PIPELINE}@${date}`;
    await pool.query(
      "INSERT INTO pipeline_runs (run_key, pipeline, business_date, status, params) VALUES (?, ?, ?, 'succeeded', '{}')",
      [runKey, PIPELINE, date],
    );
    const metrics = { rocAuc: 0.8 + 0.02 * Math.sin(i / 3), baseRate: 0.3 + 0.02 * Math.cos(i / 4) };
    await pool.query(
      "INSERT INTO model_versions (pipeline, version, run_key, engine, params, feature_names, data_fingerprint, metrics, train_rows, fit_ms, model_bytes, model_chunks, model_sha256) VALUES (?, ?, ?, 'hist', '{}', '[]', 'seeded', ?, 0, 0, 0, 0, '')",
      // Numbers far above the tonight's versions the score step gives out (1, 2, …).
      [PIPELINE, 1000 + i, runKey, JSON.stringify(metrics)],
    );
    // The report finds a night's version through run_models, as the train step links it.
    await pool.query(
      'INSERT INTO run_models (run_key, pipeline, version_id) VALUES (?, ?, LAST_INSERT_ID())',
      [runKey, PIPELINE],
    );
    await pool.query(
      "INSERT INTO step_runs (run_key, step, attempt, status, rows_in, rows_out) VALUES (?, 'score', 1, 'succeeded', 4000, 4000)",
      [runKey],
    );
  }
}

async function dropDatabase(url: string): Promise<void> {
  const admin = await mysql.createConnection({ ...connectionOptions(url), database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS \`${new URL(url).pathname.slice(1)}\``);
  await admin.end();
}

await main();
