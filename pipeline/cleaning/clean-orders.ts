import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { StepResult, WorkContext } from '../context.ts';
import { PermanentError } from '../errors.ts';
import { evaluateChecks } from '../quality/evaluate-checks.ts';
import { assertNoBlock, rowCountHistory, storeQuality } from '../quality/store-quality.ts';
import { transactionFacts } from '../quality/transaction-facts.ts';
import { stopwatch } from '../stopwatch.ts';
import { cleanTransactions } from './clean-transactions.ts';

/**
 * Transactions mode's clean, raw_transactions to clean_orders: applies the cleaning rules in one
 * transaction (clean_orders and clean_drops of the run are replaced together or not at all), then
 * the data-quality checks on the raw lines; a blocking check rolls the cleaning back and fails the run.
 */
export async function cleanOrders(ctx: WorkContext, pipeline: TransactionsPipeline): Promise<StepResult> {
  const { run, pool, progress } = ctx;
  // Milliseconds per phase, in the step's details: where the step's time goes at scale.
  const timings: Record<string, number> = {};
  const lap = stopwatch(timings);
  await purgeFinishedRuns(ctx, pipeline.name);
  lap('purge');
  const cutoff = pipeline.label.cutoff ?? run.businessDate;
  const conn = await pool.getConnection();
  // Two more connections sort and stream the raw lines (two halves at once) while `conn` writes:
  // back to the pool as soon as the pass ends, destroyed if it fails (a read cut mid-stream leaves
  // a connection unusable).
  const readers = [await pool.getConnection(), await pool.getConnection()] as const;
  let readerReleased = false;
  try {
    return await inTransaction(conn, async () => {
      const factsCollector = transactionFacts(pipeline, cutoff);
      const counts = await cleanTransactions(conn, readers, run.runKey, pipeline, {
        observe: factsCollector.observe,
        signal: ctx.signal,
        lap,
      });
      for (const r of readers) r.release();
      readerReleased = true;
      await progress(80);
      const facts = await factsCollector.facts(
        conn,
        counts.linesRead,
        counts.dropsByReason['exact duplicate'],
      );
      const quality = evaluateChecks(pipeline.quality, facts, await rowCountHistory(pool, run));
      await storeQuality(pool, run, 'clean', quality);
      lap('quality');
      assertNoBlock(quality);
      if (counts.orders === 0)
        throw new PermanentError(
          `no usable transactions for pipeline ${pipeline.name}: ${counts.linesRead} lines read, all dropped`,
        );
      const dropped = Object.values(counts.dropsByReason).reduce((a, b) => a + b, 0);
      return {
        rowsIn: counts.linesRead,
        rowsOut: counts.linesKept,
        rowsRejected: dropped,
        details: {
          orders: counts.orders,
          customers: counts.customers,
          dropsByReason: counts.dropsByReason,
          quality: quality.map((q) => ({ check: q.checkName, outcome: q.outcome, value: q.value })),
          timings,
        },
      };
    });
  } finally {
    conn.release();
    if (!readerReleased) for (const r of readers) r.destroy();
  }
}

/** Clean tables of the pipeline's succeeded runs are no longer read (a rerun cleans again): keep one copy of history, not one per night. */
async function purgeFinishedRuns({ pool, run }: WorkContext, pipeline: string): Promise<void> {
  for (const table of ['clean_orders', 'clean_drops']) {
    await pool.query(
      `DELETE t FROM ${table} t JOIN pipeline_runs r ON r.run_key = t.run_key WHERE r.pipeline = ? AND r.status = 'succeeded' AND t.run_key <> ?`,
      [pipeline, run.runKey],
    );
  }
}
