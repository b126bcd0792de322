import os from 'node:os';
import { createLogger } from '../../config/logger.ts';
import type { Pipeline } from '../../config/pipeline.ts';
import { createDatabase } from '../../db/client.ts';
import { createMailer } from '../../reports/mailer.ts';
import { armDeadline } from '../../workflows/deadline.ts';
import { startWatchdog } from '../../workflows/deadline-watchdog.ts';
import { createQueues, type Queues } from '../../workflows/queues.ts';
import { startReconciler } from '../../workflows/reconcile-orphans.ts';
import { parseRunKey } from '../../workflows/run-key.ts';
import { nextFires } from '../../workflows/schedule.ts';
import { startScheduler } from '../../workflows/schedule-runner.ts';
import type { StartResult } from '../../workflows/start-run.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { findPipelines } from '../find-pipelines.ts';

async function armNextDeadline(queues: Queues, pipeline: Pipeline): Promise<void> {
  const [next] = nextFires(pipeline.schedule.cron, pipeline.schedule.timezone, new Date(), 1);
  if (next) await armDeadline(queues, pipeline, next.businessDate, new Date());
}

export const schedulerCmd: Command = {
  name: 'scheduler',
  usage:
    "cpd scheduler [--pipelines DIR] [--now ISO] [--once]   start runs on each pipeline's cron; --once: catch up, then exit",
  options: {
    pipelines: { type: 'string', default: 'config/pipelines' },
    // A controllable clock for drills and tests: catch-up reconciles as if it were this time.
    now: { type: 'string' },
    once: { type: 'boolean', default: false },
  },
  async run({ config, values }) {
    const nowArg = stringOption(values, 'now');
    const now = nowArg ? new Date(nowArg) : new Date();
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO date-time, got "${nowArg}"`);
    const pipelines = findPipelines(stringOption(values, 'pipelines') ?? 'config/pipelines').map(
      (p) => p.pipeline,
    );
    if (pipelines.length === 0) throw new UsageError('no pipeline files (*.json) in the pipelines folder');
    const log = createLogger(config, { role: 'scheduler' });
    // Listening before start-up, so a SIGTERM while connecting still takes the clean way out below.
    let signalled: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (signalled = resolve));
    process.once('SIGTERM', () => signalled());
    process.once('SIGINT', () => signalled());
    const database = createDatabase(config.DATABASE_URL);
    const queues = createQueues(config);
    const mailer = createMailer(config);
    const abort = new AbortController();
    const watchdog = await startWatchdog({ database, config, mailer, log, queues });
    const deps = {
      db: database.db,
      queues,
      flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS },
      log,
      scheduler: `${os.hostname()}:${process.pid}`,
      signal: abort.signal,
      // Each start arms its own deadline and the next night's, so a night the scheduler never reaches is still checked.
      onStarted: async (pipeline: Pipeline, start: StartResult) => {
        await armDeadline(queues, pipeline, parseRunKey(start.runKey).businessDate, new Date());
        await armNextDeadline(queues, pipeline);
      },
    };
    for (const p of pipelines) await armNextDeadline(queues, p);
    const scheduler = startScheduler(deps, pipelines, now);
    // Runs left with no job in Redis (lost queue data) are found and repaired here.
    const reconciler = startReconciler({ ...deps, mailer, config });
    try {
      // --once ends when the catch-up is done, or earlier on a signal (the runs themselves go on).
      if (values.once === true) await Promise.race([scheduler.caughtUp, stopped]);
      else {
        await stopped;
        log.info('shutting down: stopping the cron, letting a start in progress finish');
      }
    } finally {
      abort.abort();
      await scheduler.stop();
      await reconciler.close();
      await watchdog.close();
      await queues.close();
      mailer.close();
      await database.close();
    }
    return 0;
  },
};
