import pino, { type Logger } from 'pino';
import type { Config } from './env.ts';

export type { Logger };

/**
 * The root logger of a process. Children add `runKey`, `step` and `attempt`, so every line of a
 * step says which run it belongs to. Secrets are redacted wherever a careless field could carry them.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, base: Record<string, unknown> = {}): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: logRedaction,
  });
}

/** Fields that may carry a secret, censored in every line (also in the per-attempt logs the runner keeps). */
export const logRedaction = {
  paths: [
    'password',
    '*.password',
    'DATABASE_URL',
    'REDIS_URL',
    'SMTP_URL',
    '*.DATABASE_URL',
    '*.REDIS_URL',
    '*.SMTP_URL',
    'authorization',
    '*.authorization',
  ],
  censor: '[redacted]',
};
