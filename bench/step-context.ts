import type { loadConfig } from '../config/env.ts';
import { createLogger } from '../config/logger.ts';
import type { Database } from '../db/client.ts';
import type { RunRecord } from '../pipeline/context.ts';
import { createMailer } from '../reports/mailer.ts';
import type { StepContext } from '../runner/step.ts';

/** What a bench needs to call a step's handler in its own process: attempt 1, never aborted, no progress. */
export function benchStepContext(
  database: Database,
  config: ReturnType<typeof loadConfig>,
  run: RunRecord,
  log = createLogger({ LOG_LEVEL: 'warn' }),
): StepContext {
  return {
    run,
    attempt: 1,
    db: database.db,
    pool: database.pool,
    config,
    mailer: createMailer(config),
    log,
    signal: new AbortController().signal,
    progress: async () => {},
  };
}
