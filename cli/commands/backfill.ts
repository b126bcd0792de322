import { and, between, eq } from 'drizzle-orm';
import { createDatabase } from '../../db/client.ts';
import { pipelineRuns } from '../../db/schema/index.ts';
import { waitFinished } from '../../workflows/catch-up.ts';
import { createQueues } from '../../workflows/queues.ts';
import { isIsoDate, runKeyOf } from '../../workflows/run-key.ts';
import { addDays } from '../../workflows/schedule.ts';
import { startRun } from '../../workflows/start-run.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { findPipeline } from '../find-pipelines.ts';

/** A year at most: a typo in --from should not queue a decade of training. */
const MAX_DAYS = 366;

/**
 * `cpd backfill PIPELINE --from D --to D`: runs each business date oldest first, one at a time
 * (the next starts when the previous finished), skipping dates the ledger already has. Stops at
 * the first date that does not succeed.
 */
export const backfillCmd: Command = {
  name: 'backfill',
  usage: 'cpd backfill PIPELINE --from YYYY-MM-DD --to YYYY-MM-DD [--dry-run] [--json] [--pipelines DIR]',
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    pipelines: { type: 'string', default: 'config/pipelines' },
  },
  async run({ config, values, positionals, print }) {
    const [arg] = positionals;
    const from = stringOption(values, 'from');
    const to = stringOption(values, 'to');
    if (!arg || !from || !to)
      throw new UsageError('cpd backfill needs PIPELINE --from YYYY-MM-DD --to YYYY-MM-DD');
    if (!isIsoDate(from) || !isIsoDate(to) || from > to)
      throw new UsageError(`--from and --to must be dates with from <= to, got ${from} .. ${to}`);
    const dates: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
    if (dates.length > MAX_DAYS)
      throw new UsageError(`backfill of ${dates.length} days refused: at most ${MAX_DAYS}`);
    const { pipeline } = findPipeline(arg, stringOption(values, 'pipelines') ?? 'config/pipelines');
    const json = values.json === true;
    const database = createDatabase(config.DATABASE_URL);
    const queues = createQueues(config);
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const existing = await database.db
        .select({ d: pipelineRuns.businessDate, status: pipelineRuns.status })
        .from(pipelineRuns)
        .where(and(eq(pipelineRuns.pipeline, pipeline.name), between(pipelineRuns.businessDate, from, to)));
      const known = new Map(existing.map((r) => [r.d, r.status]));
      const plan = dates.map((d) => ({
        businessDate: d,
        runKey: runKeyOf(pipeline.name, d),
        existing: known.get(d) ?? null,
      }));
      if (values['dry-run'] === true) {
        if (json) print(JSON.stringify({ pipeline: pipeline.name, dryRun: true, dates: plan }));
        else
          for (const p of plan)
            print(`${p.runKey}  ${p.existing ? `exists (${p.existing}): skipped` : 'would start'}`);
        return 0;
      }
      const results: { runKey: string; status: string }[] = [];
      for (const p of plan) {
        if (p.existing) {
          results.push({ runKey: p.runKey, status: `skipped (exists, ${p.existing})` });
          continue;
        }
        if (abort.signal.aborted) break;
        const start = await startRun(
          {
            db: database.db,
            queues,
            flowOptions: { attempts: config.CPD_ATTEMPTS, backoffMs: config.CPD_BACKOFF_MS },
          },
          pipeline,
          p.businessDate,
        );
        if (!json) print(`${start.runKey} ${start.outcome}`);
        const status = await waitFinished(
          { db: database.db, signal: abort.signal, pollMs: 500 },
          start.runKey,
        );
        results.push({ runKey: start.runKey, status });
        if (!json) print(`${start.runKey} ${status}`);
        if (status !== 'succeeded' && status !== 'degraded') break;
      }
      const ok =
        results.length === plan.length &&
        results.every(
          (r) => r.status === 'succeeded' || r.status === 'degraded' || r.status.startsWith('skipped'),
        );
      if (json) print(JSON.stringify({ pipeline: pipeline.name, results, ok }));
      return ok ? 0 : 1;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await queues.close();
      await database.close();
    }
  },
};
