import { z } from 'zod';
import { didYouMeanHint } from './did-you-mean.ts';

/**
 * The one schema over the environment. Entrypoints call `loadConfig(process.env)` once and
 * hand the result down; nothing else reads `process.env`.
 */
export const envSchema = z.object({
  /** MySQL/MariaDB connection; the database is created by `cpd migrate` if missing. */
  DATABASE_URL: z.string().url().default('mysql://root@127.0.0.1:3306/cpd'),
  /** Redis for BullMQ queues. */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key; tests use one per file so they never see each other's jobs. */
  CPD_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('cpd'),
  /** SMTP server for reports, e.g. smtp://user:pass@host:587. Absent: mails go to the file outbox. */
  SMTP_URL: z.string().url().optional(),
  /** Sender address of reports and alerts. */
  MAIL_FROM: z.string().default('Purchase Detection <cpd@localhost>'),
  /** Default report recipients (comma-separated) when a pipeline names none. */
  REPORT_TO: z.string().default('stakeholders@localhost'),
  /** Ops alert recipients (comma-separated). */
  OPS_TO: z.string().default('ops@localhost'),
  /** Where mails are written when SMTP_URL is not set (.eml + .html per mail). */
  OUTBOX_DIR: z.string().default('reports/outbox'),
  /** Where report archives are written (`<dir>/<pipeline>/<business date>/index.html`). */
  REPORT_DIR: z.string().default('reports/out'),
  /** Where collect lands HTTP and SQL source bodies before load. */
  DATA_DIR: z.string().default('var/data'),
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Attempts per step for transient errors (exponential backoff from CPD_BACKOFF_MS). */
  CPD_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  CPD_BACKOFF_MS: z.coerce.number().int().min(0).default(2_000),
  /** Threads for training and scoring; default: every core. */
  CPD_THREADS: z.coerce.number().int().min(1).optional(),
  /** `0`: render report charts on the calling thread instead of worker threads. */
  CPD_CHART_WORKERS: z.string().optional(),
  /** How long a worker's job lock lives without renewal; a killed worker's job is redelivered after it expires. */
  CPD_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How often workers look for jobs whose lock expired (stalled) and return them to the queue. */
  CPD_STALLED_INTERVAL_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Bull Board operator (may retry, promote, clean). The board refuses to start without a password unless --insecure-local. */
  BOARD_OPERATOR_USER: z.string().min(1).default('operator'),
  BOARD_OPERATOR_PASSWORD: z.string().optional(),
  /** Bull Board read-only viewer. */
  BOARD_VIEWER_USER: z.string().min(1).default('viewer'),
  BOARD_VIEWER_PASSWORD: z.string().optional(),
  /** Where `cpd board` listens (Bull Board, /healthz, /metrics). */
  BOARD_HOST: z.string().default('0.0.0.0'),
  BOARD_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Mail outbox dispatcher: first retry delay of an undelivered mail, doubling up to the cap. */
  CPD_MAIL_RETRY_MS: z.coerce.number().int().min(100).default(60_000),
  CPD_MAIL_RETRY_MAX_MS: z.coerce.number().int().min(100).default(3_600_000),
  /** How long the dispatcher keeps retrying a mail before it gives up and marks it failed. */
  CPD_MAIL_GIVE_UP_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(48 * 3_600_000),
  /** How often each worker's dispatcher looks for mails due (undelivered, or stuck in `sending`). */
  CPD_MAIL_POLL_MS: z.coerce.number().int().min(100).default(30_000),
  /** A mail in `sending` longer than this was cut off by a crash mid-transaction: it is resent (same Message-ID). */
  CPD_MAIL_LEASE_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** Orphaned runs (`running`, no job left in Redis for their step) are looked for this often by the scheduler. */
  CPD_RECONCILE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** What the reconciler does with an orphan: re-create its jobs (`recreate`) or only mark the run and alert ops (`alert`). */
  CPD_RECONCILE_ACTION: z.enum(['recreate', 'alert']).default('recreate'),
  /** How long `cpd run --wait` and `cpd status` keep retrying a read across a MySQL/Redis outage before giving up. */
  CPD_CLIENT_RETRY_MS: z.coerce.number().int().min(0).default(120_000),
  /** Test-only crash points (config/fault-point.ts), e.g. `score.after-rename`; never set in production. */
  CPD_FAULT: z.string().optional(),
});

/**
 * Variables a pipeline file may name as a source secret (`urlEnv`, `authEnv`): only `CPD_SOURCE_*`,
 * so a pipeline file cannot send the SMTP or database password to a URL of its choosing.
 */
export const SOURCE_ENV_PREFIX = 'CPD_SOURCE_';

export type Config = z.infer<typeof envSchema> & { sourceEnv?: Record<string, string> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; an error names each bad variable and why. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty string means "unset" for optional settings copied from .env.example.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  lines.push(
    ...unknownOwnVariables(Object.keys(env)).map(
      (k) => `  ${k}: unknown variable${didYouMeanHint(k, Object.keys(envSchema.shape))}`,
    ),
  );
  if (!parsed.success || lines.length > 0) {
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const sourceEnv = Object.fromEntries(
    Object.entries(cleaned).filter(([k]) => k.startsWith(SOURCE_ENV_PREFIX)),
  ) as Record<string, string>;
  return { ...parsed.data, sourceEnv };
}

/**
 * `CPD_*` variables the schema does not know (a typo such as `CPD_ATTEMPT` would otherwise leave the
 * default in force without a word). `CPD_SOURCE_*` are named by pipeline files, so they pass.
 */
function unknownOwnVariables(names: string[]): string[] {
  const known = new Set(Object.keys(envSchema.shape));
  return names.filter((k) => k.startsWith('CPD_') && !k.startsWith(SOURCE_ENV_PREFIX) && !known.has(k));
}

/** The URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
