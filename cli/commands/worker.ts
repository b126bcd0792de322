import { createLogger } from '../../config/logger.ts';
import { type StepName, stepNames } from '../../config/steps.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { startWorkers } from '../worker.ts';

export const workerCmd: Command = {
  name: 'worker',
  usage: 'cpd worker [--queues collect,load,...]   serve step queues (default: all)',
  options: { queues: { type: 'string' } },
  async run({ config, values }) {
    const queues = parseQueues(stringOption(values, 'queues'));
    const log = createLogger(config, { role: 'worker' });
    // Listening before start-up: a SIGTERM while connecting (a deploy rolled back) still closes cleanly.
    const early: string[] = [];
    let onSignal = (signal: string): void => void early.push(signal);
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
    const workers = await startWorkers(config, log, queues);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const done = (err?: unknown) => {
        if (err) log.error({ err }, 'shutdown failed');
        resolve();
      };
      // First signal: finish the active job. A second one (an impatient operator, or the
      // orchestrator's kill timeout approaching) returns it to the queue instead of waiting.
      const stop = (signal: string) => {
        if (stopping) {
          log.warn(
            { signal },
            'second signal: stopping now; the active job is redelivered once its lock expires',
          );
          workers.forceClose().then(() => done(), done);
          return;
        }
        stopping = true;
        log.info({ signal }, 'shutting down: letting active jobs finish');
        workers.close().then(() => done(), done);
      };
      onSignal = stop;
      for (const signal of early) stop(signal);
    });
    log.info('worker stopped');
    return 0;
  },
};

export function parseQueues(arg: string | undefined): StepName[] {
  if (!arg) return [...stepNames];
  const names = arg
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(stepNames as readonly string[]).includes(n));
  if (bad.length)
    throw new UsageError(`--queues: unknown queue ${bad.join(', ')} (known: ${stepNames.join(', ')})`);
  return names as StepName[];
}
