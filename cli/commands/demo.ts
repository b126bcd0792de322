import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config/env.ts';
import { createDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { emailOutbox } from '../../db/schema/index.ts';
import { reportArchiveDir } from '../../reports/archive-dir.ts';
import { createQueues } from '../../workflows/queues.ts';
import { type Command, UsageError } from '../command.ts';
import { dockerStarter, ensureServices } from '../preflight.ts';
import { runCommand } from './run.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cpd = path.join(root, 'bin', 'cpd.mjs');

/** Two worker processes, each serving half of the queues: the flow crosses processes, as in production. */
export const demoWorkerQueues = ['collect,load,clean,features', 'train,evaluate,score,report'];

/** The transactions demo night: its cutoff is this business date, with 90 days of later purchases to validate on. */
export const DEMO_RETAIL_DATE = '2011-09-10';

/**
 * `npm run demo`: make sure MySQL and Redis run (starting them with docker compose when Docker is
 * there), migrate, start two worker processes, run the shoppers pipeline (a labeled table) and the
 * Online Retail pipeline (transactions) once each, print where everything is, stop the workers.
 * `--only shoppers|retail` runs one of them.
 */
export async function demoCommand(
  config: Config,
  print: (s: string) => void,
  only?: 'shoppers' | 'retail',
): Promise<number> {
  const started = performance.now();
  await ensureServices(dockerStarter(config, root, print));
  const { database } = await migrateDatabase(config.DATABASE_URL);
  print(`database ${database} migrated`);
  const workers = demoWorkerQueues.map((queues) => spawnWorker(queues, print));
  try {
    await waitForWorkers(config, 30_000);
    print(`workers up: ${workers.map((w, i) => `pid ${w.pid} [${demoWorkerQueues[i]}]`).join(', ')}`);
    const runs = [
      {
        name: 'shoppers',
        file: 'online-shoppers.json',
        date: undefined,
        title: 'labeled table: which sessions end in a purchase',
      },
      {
        name: 'retail',
        file: 'online-retail.json',
        date: DEMO_RETAIL_DATE,
        title: `transactions: who buys again within 90 days of ${DEMO_RETAIL_DATE}`,
      },
    ].filter((r) => only === undefined || r.name === only);
    let code = 0;
    for (const r of runs) {
      print('');
      print(`== ${r.file} (${r.title})`);
      const pipelineFile = path.join(root, 'config', 'pipelines', r.file);
      const res = await runCommand(
        config,
        {
          pipeline: pipelineFile,
          date: r.date,
          wait: true,
          json: false,
          rerun: true,
          timeoutMs: 30 * 60_000,
        },
        print,
      );
      if (res.summary) await printSummary(config, res.start.runKey, res.summary, print);
      code = Math.max(code, res.code);
    }
    if (only === 'shoppers')
      print(
        `\nthe transactions demo: npm run demo -- --only retail (or cpd run --pipeline config/pipelines/online-retail.json --date ${DEMO_RETAIL_DATE} --wait)`,
      );
    print(`demo finished in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    return code;
  } finally {
    await stopWorkers(workers);
  }
}

function spawnWorker(queues: string, print: (s: string) => void): ChildProcess {
  const child = spawn(process.execPath, [cpd, 'worker', '--queues', queues], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  child.stderr?.on('data', (d: Buffer) => print(`[worker ${child.pid}] ${d.toString().trimEnd()}`));
  return child;
}

async function waitForWorkers(config: Config, timeoutMs: number): Promise<void> {
  const queues = createQueues(config);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(queues.all().map((q) => q.getWorkersCount()));
      if (counts.every((c) => c > 0)) return;
      if (Date.now() > deadline) throw new Error('worker processes did not come up within 30s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await queues.close();
  }
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null) return resolve();
          const kill = setTimeout(() => w.kill('SIGKILL'), 20_000);
          w.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          w.kill('SIGTERM');
        }),
    ),
  );
}

async function printSummary(
  config: Config,
  runKey: string,
  summary: NonNullable<Awaited<ReturnType<typeof runCommand>>['summary']>,
  print: (s: string) => void,
) {
  const step = (name: string) => summary.steps.find((s) => s.step === name);
  const load = step('load');
  const clean = step('clean');
  const m = summary.metrics ?? {};
  const num = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '–');
  const database = createDatabase(config.DATABASE_URL);
  try {
    const [mail] = await database.db.select().from(emailOutbox).where(eq(emailOutbox.runKey, runKey));
    print('');
    print(
      `rows read ${load?.rowsIn ?? 0}, loaded ${load?.rowsOut ?? 0}, rejected at load ${load?.rowsRejected ?? 0}, rejected at clean ${clean?.rowsRejected ?? 0}`,
    );
    print(`validation ROC-AUC ${num(m.rocAuc)}, F1 ${num(m.f1)} (threshold ${num(m.threshold)})`);
    print(`customers scored ${step('score')?.rowsOut ?? 0}`);
    const archive = path.join(reportArchiveDir(config, summary.pipeline, summary.businessDate), 'index.html');
    print(`report: ${existsSync(archive) ? `file://${archive}` : 'no archive written'}`);
    // One mail per run key: a rerun of the same night refreshes the archive but mails nothing new.
    print(
      `mail: ${mail ? (mail.location ?? `sent by SMTP to ${mail.recipients} (message ${mail.messageId})`) : 'not sent'}${mail?.sentAt ? ` (sent ${mail.sentAt.toISOString()})` : ''}`,
    );
    print(
      `scores: mysql ${database.name} -e "SELECT customer_id, score, decile FROM customer_scores WHERE pipeline = '${summary.pipeline}' ORDER BY score DESC LIMIT 10"`,
    );
  } finally {
    await database.close();
  }
}

export const demoCmd: Command = {
  name: 'demo',
  usage:
    'cpd demo [--only shoppers|retail]   start services if needed, 2 workers, run both demo pipelines once',
  summary:
    'what `npm run demo` runs: services (docker compose when down and Docker runs), migrate, 2 workers, one run of each demo pipeline',
  example: 'npm run demo -- --only retail',
  options: {
    only: {
      type: 'string',
      valueName: 'NAME',
      description: 'run one demo pipeline: shoppers (labeled table) or retail (transactions)',
    },
  },
  // The demo checks the services itself (and may start them), after saying what it is about to do.
  needsServices: false,
  run: ({ config, values, print }) => {
    const only = values.only;
    if (only !== undefined && only !== 'shoppers' && only !== 'retail')
      throw new UsageError(`--only: shoppers or retail, got "${String(only)}"`);
    return demoCommand(config, print, only);
  },
};
