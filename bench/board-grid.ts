/**
 * npm run bench:board-grid — the runs console's grid page for 5 pipelines x 30 nights x 8 steps:
 * its queries (loadGrid) and its HTML (renderGrids), as one GET /runs does, on a temporary
 * database seeded with one attempt per step (a retry on every fifth night, a skipped night per
 * pipeline). Reference, measured in the same run: one plain SELECT of the same step_runs rows,
 * so the ratio reads "the page costs N bare reads of its data" whatever the machine's load.
 */
import mysql from 'mysql2/promise';
import { loadGrid } from '../cli/board/runs/grid-data.ts';
import { renderGrids } from '../cli/board/runs/render-grid.ts';
import { loadConfig } from '../config/env.ts';
import { stepNames } from '../config/steps.ts';
import { createDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { pipelineRuns, scheduleTicks, stepRuns } from '../db/schema/index.ts';

const PIPELINES = 5;
const NIGHTS = 30;
const REPS = 20;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const url = new URL(config.DATABASE_URL);
  url.pathname = `${url.pathname.replace(/^\//, '') || 'cpd'}_bench_grid`;
  await dropDatabase(url.toString());
  await migrateDatabase(url.toString());
  const database = createDatabase(url.toString());
  try {
    const { db } = database;
    for (let p = 0; p < PIPELINES; p++) {
      const pipeline = `pipeline-${p}`;
      const runs = [];
      const attempts = [];
      for (let n = 0; n < NIGHTS; n++) {
        const date = new Date(Date.UTC(2026, 9, 1 + n)).toISOString().slice(0, 10);
        const runKey = `${pipeline}@${date}`;
        if (n === 10) {
          await db.insert(scheduleTicks).values({
            pipeline,
            businessDate: date,
            fireAt: new Date(`${date}T02:00:00Z`),
            decision: 'skipped',
            scheduler: 'bench:1',
          });
          continue;
        }
        const started = new Date(`${date}T02:00:00Z`);
        runs.push({
          runKey,
          pipeline,
          businessDate: date,
          status: n % 7 === 3 ? ('failed' as const) : ('succeeded' as const),
          params: { name: pipeline, schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } },
          startedAt: started,
          finishedAt: new Date(started.getTime() + 600_000),
        });
        for (const step of stepNames) {
          if (n % 5 === 0)
            attempts.push({ runKey, step, attempt: 1, status: 'failed' as const, durationMs: 900 });
          attempts.push({
            runKey,
            step,
            attempt: n % 5 === 0 ? 2 : 1,
            status: 'succeeded' as const,
            durationMs: 12_000,
          });
        }
      }
      await db.insert(pipelineRuns).values(runs);
      await db.insert(stepRuns).values(attempts);
    }
    const grid = async () => renderGrids(await loadGrid(db, { nights: NIGHTS }), NIGHTS);
    const reference = async () =>
      database.pool.query('SELECT run_key, step, generation, status, duration_ms, error FROM step_runs');
    await grid();
    await reference();
    const gridMs: number[] = [];
    const refMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REPS; i++) {
      let t = performance.now();
      bytes = (await grid()).length;
      gridMs.push(performance.now() - t);
      t = performance.now();
      await reference();
      refMs.push(performance.now() - t);
    }
    const g = median(gridMs);
    const r = median(refMs);
    console.log(
      `grid of ${PIPELINES} pipelines x ${NIGHTS} nights x ${stepNames.length} steps: ${(bytes / 1024).toFixed(0)} KiB of HTML`,
    );
    console.log(
      `bench board-grid: ratio=${(g / r).toFixed(1)} grid_ms=${g.toFixed(1)} reference_select_ms=${r.toFixed(1)} reps=${REPS} load=${(await import('node:os')).loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    await database.close();
    await dropDatabase(url.toString());
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function dropDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/';
  const conn = await mysql.createConnection({ uri: u.toString() });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.end();
}

await main();
