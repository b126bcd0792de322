import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.ts';
import { createLogger } from '../config/logger.ts';
import { PipelineFileError } from '../config/pipeline.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { stepNames, type StepName } from '../jobs/define-step.ts';
import { runCommand, statusCommand, UsageError } from './commands.ts';
import { demoCommand } from './demo.ts';
import { checkServices, ServiceUnavailableError } from './preflight.ts';
import { startWorkers } from './worker.ts';

const USAGE = `cpd: Purchase Detection, the nightly purchase-propensity pipeline

  cpd migrate                                 create the database if missing and apply migrations
  cpd worker [--queues collect,load,...]      serve step queues (default: all)
  cpd run --pipeline FILE [--date YYYY-MM-DD] [--wait] [--json] [--rerun]
  cpd status [RUNKEY] [--json]
  cpd demo                                    migrate, start 2 workers, run the shoppers pipeline once

Environment: see .env.example (DATABASE_URL, REDIS_URL, SMTP_URL, ...).`;

const print = (s: string) => process.stdout.write(`${s}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      pipeline: { type: 'string' },
      date: { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rerun: { type: 'boolean', default: false },
      queues: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!command || values.help || command === 'help') {
    print(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'migrate': {
      await checkServices(config);
      const { database } = await migrateDatabase(config.DATABASE_URL);
      print(`database ${database}: migrations applied`);
      return 0;
    }
    case 'worker': {
      const queues = parseQueues(values.queues);
      const log = createLogger(config, { role: 'worker' });
      await checkServices(config);
      const workers = await startWorkers(config, log, queues);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info({ signal }, 'shutting down: letting active jobs finish');
          workers.close().then(resolve, (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      return 0;
    }
    case 'run': {
      if (!values.pipeline) throw new UsageError('cpd run needs --pipeline FILE');
      await checkServices(config);
      const { code } = await runCommand(
        config,
        { pipeline: values.pipeline, date: values.date, wait: values.wait, json: values.json, rerun: values.rerun, timeoutMs: Number(values.timeout ?? 3600) * 1000 },
        print,
      );
      return code;
    }
    case 'status':
      await checkServices(config);
      return statusCommand(config, positionals[0], values.json, print);
    case 'demo':
      return demoCommand(config, print);
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function parseQueues(arg: string | undefined): StepName[] {
  if (!arg) return [...stepNames];
  const names = arg.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(stepNames as readonly string[]).includes(n));
  if (bad.length) throw new UsageError(`--queues: unknown queue ${bad.join(', ')} (known: ${stepNames.join(', ')})`);
  return names as StepName[];
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof ConfigError || err instanceof PipelineFileError || err instanceof ServiceUnavailableError;
    process.stderr.write(`cpd: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(known && err instanceof UsageError ? 2 : 1);
  },
);
