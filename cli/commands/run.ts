import type { Config } from '../../config/env.ts';
import { loadPipelineFile } from '../../config/pipeline.ts';
import { createDatabase } from '../../db/client.ts';
import type { RunSummary } from '../../ledger/run-summary.ts';
import { createQueues } from '../../workflows/queues.ts';
import { isIsoDate, todayIn } from '../../workflows/run-key.ts';
import { type StartResult, startRun } from '../../workflows/start-run.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { printOutcome, summaryJson } from '../print-run.ts';
import { waitForRun } from '../wait-run.ts';

export interface RunCommandOptions {
  pipeline: string;
  date?: string;
  wait: boolean;
  json: boolean;
  rerun: boolean;
  timeoutMs: number;
}

/** `cpd run`: starts (or joins) one run; with --wait, follows it to the end. Returns the exit code. */
export async function runCommand(
  config: Config,
  opts: RunCommandOptions,
  print: (s: string) => void,
): Promise<{ code: number; start: StartResult; summary?: RunSummary }> {
  const pipeline = loadPipelineFile(opts.pipeline);
  const businessDate = opts.date ?? todayIn(pipeline.schedule.timezone);
  if (!isIsoDate(businessDate)) throw new UsageError(`--date must be YYYY-MM-DD, got "${businessDate}"`);
  const database = createDatabase(config.DATABASE_URL);
  const queues = createQueues(config);
  try {
    const start = await startRun(
      {
        db: database.db,
        queues,
        flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS },
      },
      pipeline,
      businessDate,
      { rerun: opts.rerun },
    );
    if (!opts.json) {
      const what = {
        started: 'started',
        rerun: 'restarted (rerun)',
        existing: `already exists (status ${start.status}${opts.rerun ? '' : '; --rerun starts it again'})`,
      }[start.outcome];
      print(`run ${start.runKey} ${what}`);
    }
    if (!opts.wait) {
      if (opts.json)
        print(JSON.stringify({ runKey: start.runKey, outcome: start.outcome, status: start.status }));
      return { code: 0, start };
    }
    const summary = await waitForRun({ db: database.db, queues }, start.runKey, start.generation, {
      timeoutMs: opts.timeoutMs,
      print: opts.json ? () => undefined : print,
      notice: (line) => process.stderr.write(`${line}\n`),
      retryMs: config.CPD_CLIENT_RETRY_MS,
    });
    if (opts.json) print(JSON.stringify(summaryJson(summary)));
    else printOutcome(summary, print);
    return { code: summary.status === 'succeeded' || summary.status === 'degraded' ? 0 : 1, start, summary };
  } finally {
    await queues.close();
    await database.close();
  }
}

export const runCmd: Command = {
  name: 'run',
  usage: 'cpd run --pipeline FILE [--date YYYY-MM-DD] [--wait] [--json] [--rerun] [--timeout SECONDS]',
  options: {
    pipeline: { type: 'string' },
    date: { type: 'string' },
    wait: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    rerun: { type: 'boolean', default: false },
    timeout: { type: 'string' },
  },
  async run({ config, values, print }) {
    const pipeline = stringOption(values, 'pipeline');
    if (!pipeline) throw new UsageError('cpd run needs --pipeline FILE');
    const { code } = await runCommand(
      config,
      {
        pipeline,
        date: stringOption(values, 'date'),
        wait: values.wait === true,
        json: values.json === true,
        rerun: values.rerun === true,
        timeoutMs: Number(stringOption(values, 'timeout') ?? 3600) * 1000,
      },
      print,
    );
    return code;
  },
};
