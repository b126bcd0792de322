import { createDatabase } from '../db/client.ts';
import type { Config } from '../config/env.ts';
import { loadPipelineFile } from '../config/pipeline.ts';
import { runSummary, type RunSummary } from '../jobs/run-summary.ts';
import { createQueues } from '../workflows/queues.ts';
import { isIsoDate, todayIn } from '../workflows/run-key.ts';
import { startRun, type StartResult } from '../workflows/start-run.ts';
import { formatStepLine, waitForRun } from './wait-run.ts';
import { desc } from 'drizzle-orm';
import { pipelineRuns } from '../db/schema/index.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface RunCommandOptions {
  pipeline: string;
  date?: string;
  wait: boolean;
  json: boolean;
  rerun: boolean;
  timeoutMs: number;
}

/** `cpd run`: starts (or joins) one run; with --wait, follows it to the end. Returns the exit code. */
export async function runCommand(config: Config, opts: RunCommandOptions, print: (s: string) => void): Promise<{ code: number; start: StartResult; summary?: RunSummary }> {
  const pipeline = loadPipelineFile(opts.pipeline);
  const businessDate = opts.date ?? todayIn(pipeline.schedule.timezone);
  if (!isIsoDate(businessDate)) throw new UsageError(`--date must be YYYY-MM-DD, got "${businessDate}"`);
  const database = createDatabase(config.DATABASE_URL);
  const queues = createQueues(config);
  try {
    const start = await startRun({ db: database.db, queues, flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS } }, pipeline, businessDate, { rerun: opts.rerun });
    if (!opts.json) {
      const what = { started: 'started', rerun: 'restarted (rerun)', existing: `already exists (status ${start.status}${opts.rerun ? '' : '; --rerun starts it again'})` }[start.outcome];
      print(`run ${start.runKey} ${what}`);
    }
    if (!opts.wait) {
      if (opts.json) print(JSON.stringify({ runKey: start.runKey, outcome: start.outcome, status: start.status }));
      return { code: 0, start };
    }
    const summary = await waitForRun({ db: database.db, queues }, start.runKey, start.generation, {
      timeoutMs: opts.timeoutMs,
      print: opts.json ? () => undefined : print,
    });
    if (opts.json) print(JSON.stringify(summaryJson(summary)));
    else printOutcome(summary, print);
    return { code: summary.status === 'succeeded' || summary.status === 'degraded' ? 0 : 1, start, summary };
  } finally {
    await queues.close();
    await database.close();
  }
}

/** `cpd status [RUNKEY]`: one run in detail, or the latest runs. */
export async function statusCommand(config: Config, runKey: string | undefined, json: boolean, print: (s: string) => void): Promise<number> {
  const database = createDatabase(config.DATABASE_URL);
  try {
    if (runKey) {
      const summary = await runSummary(database.db, runKey);
      if (!summary) {
        print(json ? JSON.stringify({ error: `no run ${runKey}` }) : `no run ${runKey}`);
        return 1;
      }
      if (json) print(JSON.stringify(summaryJson(summary)));
      else printOutcome(summary, print, true);
      return 0;
    }
    const runs = await database.db.select().from(pipelineRuns).orderBy(desc(pipelineRuns.createdAt)).limit(20);
    if (json) print(JSON.stringify(runs.map((r) => ({ runKey: r.runKey, status: r.status, error: r.error, createdAt: r.createdAt, finishedAt: r.finishedAt }))));
    else {
      if (runs.length === 0) print('no runs yet: start one with `cpd run --pipeline config/pipelines/online-shoppers.json --wait`');
      for (const r of runs) print(`${r.runKey.padEnd(40)} ${r.status.padEnd(10)} ${r.createdAt.toISOString()}${r.error ? `  ${r.error}` : ''}`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

export function summaryJson(s: RunSummary) {
  return {
    runKey: s.runKey,
    pipeline: s.pipeline,
    businessDate: s.businessDate,
    status: s.status,
    error: s.error,
    failedStep: s.failedStep,
    steps: s.steps.map((st) => ({ step: st.step, status: st.status, attempts: st.attempts, durationMs: st.durationMs, rowsIn: st.rowsIn, rowsOut: st.rowsOut, rowsRejected: st.rowsRejected, error: st.error })),
    metrics: s.metrics ? pickMetrics(s.metrics) : null,
    modelVersion: s.modelVersion,
  };
}

function pickMetrics(m: Record<string, unknown>) {
  const keys = ['rocAuc', 'prAuc', 'accuracy', 'precision', 'recall', 'f1', 'threshold', 'logLoss', 'brier', 'baseRate'];
  return Object.fromEntries(keys.filter((k) => k in m).map((k) => [k, m[k]]));
}

function printOutcome(s: RunSummary, print: (s: string) => void, withSteps = false): void {
  print(`run ${s.runKey}: ${s.status}${s.error ? ` — ${s.error}` : ''}`);
  if (withSteps) for (const st of s.steps) print(formatStepLine(st));
  const m = s.metrics ? pickMetrics(s.metrics) : {};
  const shown = Object.entries(m).map(([k, v]) => `${k}=${typeof v === 'number' ? v.toFixed(4) : String(v)}`);
  if (shown.length) print(`metrics: ${shown.join(' ')}`);
}
