import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.ts';
import { armFaultPoints } from '../config/fault-point.ts';
import { PipelineFileError } from '../config/pipeline.ts';
import { type OptionSpec, UsageError } from './command.ts';
import { commandHelp, commandList } from './command-help.ts';
import { commands } from './commands/index.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkServices, ServiceUnavailableError } from './preflight.ts';
import { ReadRetryExhaustedError } from './wait-run.ts';

const print = (s: string) => process.stdout.write(`${s}\n`);

function usage(): string {
  return [
    'cpd: Purchase Detection, the nightly purchase-propensity pipeline',
    '',
    'usage: cpd COMMAND [ARGS] [--help]',
    '',
    'commands:',
    ...commandList(commands),
    '',
    '`cpd COMMAND --help` shows every flag with an example; `cpd --version` the version.',
    'Environment: see .env.example (DATABASE_URL, REDIS_URL, SMTP_URL, ...).',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `cpd ${pkg.version} (node ${process.versions.node})`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    print(version());
    return 0;
  }
  if (name === 'help' && rest[0]) return main([rest[0], '--help']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    print(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const guess = didYouMean(
      name,
      commands.map((c) => c.name),
    );
    throw new UsageError(
      `unknown command "${name}"${guess ? `; did you mean "cpd ${guess}"?` : ''}\n\n${usage()}`,
    );
  }
  const options: OptionSpec = { help: { type: 'boolean', short: 'h', default: false }, ...command.options };
  const parseOptions = Object.fromEntries(
    Object.entries(options).map(([k, { description: _d, valueName: _v, ...spec }]) => [k, spec]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: parseOptions });
  } catch (err) {
    throw new UsageError(`${flagError(err as Error, Object.keys(options))}\n\n${commandHelp(command)}`);
  }
  if (parsed.values.help) {
    print(commandHelp(command));
    return 0;
  }
  const config = loadConfig(process.env);
  armFaultPoints(config.CPD_FAULT);
  if (command.needsServices !== false) await checkServices(config);
  return command.run({ config, values: parsed.values, positionals: parsed.positionals, print });
}

/** parseArgs' message, plus the flag the person probably meant. */
function flagError(err: Error, flags: string[]): string {
  const unknown = /Unknown option '--?([^']+)'/.exec(err.message)?.[1];
  const guess = unknown ? didYouMean(unknown, flags) : undefined;
  return `${err.message.split('. ')[0]}${guess ? `; did you mean --${guess}?` : ''}`;
}

/** A table or the database itself is missing: the schema was never migrated (or is behind the code). */
function notMigrated(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; sqlMessage?: unknown; cause?: unknown } | undefined; e;) {
    if (e.code === 'ER_NO_SUCH_TABLE' || e.code === 'ER_BAD_DB_ERROR' || e.code === 'ER_BAD_FIELD_ERROR')
      return `database not migrated: run cpd migrate (${String(e.sqlMessage ?? e.code)})`;
    e = e.cause as typeof e;
  }
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof PipelineFileError ||
      err instanceof ServiceUnavailableError ||
      err instanceof ReadRetryExhaustedError;
    const message = known
      ? (err as Error).message
      : (notMigrated(err) ?? (err as Error).stack ?? String(err));
    process.stderr.write(`cpd: ${message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
