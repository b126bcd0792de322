import type { Config } from '../../config/env.ts';
import { createLogger } from '../../config/logger.ts';
import { parsePipeline, type Pipeline } from '../../config/pipeline.ts';
import type { Database } from '../../db/client.ts';
import { collect } from '../../jobs/collect.ts';
import { load } from '../../jobs/load.ts';
import type { StepResult } from '../../pipeline/context.ts';
import type { Mailer } from '../../reports/mailer.ts';
import type { StepContext } from '../../runner/step.ts';

/** A mailer that must never be used by collect or load. */
const noMail: Mailer = {
  kind: 'file',
  policy: { retryMs: 1_000, retryMaxMs: 1_000, giveUpMs: 1_000, leaseMs: 1_000 },
  compose: () => Promise.reject(new Error('collect/load do not send mail')),
  send: () => Promise.reject(new Error('collect/load do not send mail')),
  close: () => undefined,
};

/**
 * Runs collect then load in-process, the way the step runner calls them (same StepContext), so
 * loader tests and the Online Retail measurement need no workers or queues.
 */
export async function collectAndLoad(
  database: Database,
  config: Config,
  raw: unknown,
  businessDate: string,
): Promise<{ collect: StepResult; load: StepResult; runKey: string; pipeline: Pipeline }> {
  const pipeline = parsePipeline(raw, 'test pipeline');
  const runKey = `${pipeline.name}@${businessDate}`;
  const ctx: StepContext = {
    run: { runKey, pipeline, businessDate },
    attempt: 1,
    db: database.db,
    pool: database.pool,
    config,
    mailer: noMail,
    log: createLogger(config, { runKey }),
    signal: new AbortController().signal,
    progress: () => Promise.resolve(),
  };
  const collected = await collect.handler({ ...ctx, log: ctx.log.child({ step: 'collect' }) });
  const loaded = await load.handler({ ...ctx, log: ctx.log.child({ step: 'load' }) });
  return { collect: collected, load: loaded, runKey, pipeline };
}
