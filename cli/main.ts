import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.ts';
import { PipelineFileError } from '../config/pipeline.ts';
import { type OptionSpec, UsageError } from './command.ts';
import { commands } from './commands/index.ts';
import { checkServices, ServiceUnavailableError } from './preflight.ts';

const print = (s: string) => process.stdout.write(`${s}\n`);

function usage(): string {
  return [
    'cpd: Purchase Detection, the nightly purchase-propensity pipeline',
    '',
    ...commands.map((c) => `  ${c.usage}`),
    '',
    'Environment: see .env.example (DATABASE_URL, REDIS_URL, SMTP_URL, ...).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    print(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
  const options: OptionSpec = { help: { type: 'boolean', short: 'h', default: false }, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${command.usage}`);
  }
  if (parsed.values.help) {
    print(`usage: ${command.usage}`);
    return 0;
  }
  const config = loadConfig(process.env);
  if (command.needsServices !== false) await checkServices(config);
  return command.run({ config, values: parsed.values, positionals: parsed.positionals, print });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof PipelineFileError ||
      err instanceof ServiceUnavailableError;
    process.stderr.write(`cpd: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
