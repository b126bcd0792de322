import { stepNames } from '../../config/steps.ts';
import { createDatabase } from '../../db/client.ts';
import { readStepLogs, type StoredLogLine } from '../../ledger/step-logs.ts';
import { type Command, stringOption, UsageError } from '../command.ts';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every step line carries, left out of the human view (they are in the header of each line). */
const KNOWN = new Set([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
  'role',
  'runKey',
  'step',
  'generation',
  'attempt',
  'jobId',
]);

/** One stored line as a person reads it: time, level, step#attempt, message, then the other fields (an error's message first). */
export function formatLogLine(l: StoredLogLine): string {
  let extra = '';
  try {
    const fields = JSON.parse(l.line) as Record<string, unknown>;
    const err = fields.err as { message?: unknown } | undefined;
    const rest = Object.entries(fields).filter(([k]) => !KNOWN.has(k) && k !== 'err');
    if (typeof err?.message === 'string') extra += ` error: ${err.message}`;
    if (rest.length) extra += ` ${JSON.stringify(Object.fromEntries(rest))}`;
  } catch {
    extra = ` ${l.line}`;
  }
  const level = (LEVELS[l.level] ?? String(l.level)).padEnd(5);
  return `${l.at.toISOString()} ${level} ${l.step}#${l.attempt} ${l.msg}${extra}`;
}

export const logsCmd: Command = {
  name: 'logs',
  usage: 'cpd logs RUNKEY [STEP] [--attempt N] [--generation N] [--json]',
  summary: "the stored log lines of a run's step attempts (latest generation unless --generation)",
  example: 'cpd logs online-shoppers@2026-11-24 train --attempt 2',
  options: {
    attempt: { type: 'string', description: 'only this attempt (1, 2, ...)' },
    generation: { type: 'string', description: 'this generation of the run (default: the latest with logs)' },
    json: { type: 'boolean', default: false, description: 'one JSON line per log line, as stored' },
  },
  async run({ config, values, positionals, print }) {
    const [runKey, step] = positionals;
    if (!runKey) throw new UsageError('cpd logs needs a RUNKEY (see cpd status)');
    if (step && !(stepNames as readonly string[]).includes(step))
      throw new UsageError(`unknown step "${step}"; steps: ${stepNames.join(', ')}`);
    const attempt = positiveInt(stringOption(values, 'attempt'), '--attempt');
    const generation = positiveInt(stringOption(values, 'generation'), '--generation');
    const database = createDatabase(config.DATABASE_URL);
    try {
      const lines = await readStepLogs(database.db, runKey, { step, attempt, generation });
      if (lines.length === 0) {
        print(
          `no log lines stored for ${[runKey, step, attempt && `attempt ${attempt}`].filter(Boolean).join(' ')}`,
        );
        return 1;
      }
      for (const l of lines) print(values.json === true ? l.line : formatLogLine(l));
      return 0;
    } finally {
      await database.close();
    }
  },
};

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number from 1, not "${v}"`);
  return n;
}
