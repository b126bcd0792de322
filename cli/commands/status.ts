import { existsSync } from 'node:fs';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import type { Config } from '../../config/env.ts';
import { createDatabase } from '../../db/client.ts';
import { pipelineRuns } from '../../db/schema/index.ts';
import { runSummary } from '../../ledger/run-summary.ts';
import { verifyPublication } from '../../pipeline/publish/verify-publication.ts';
import { readRejects } from '../../pipeline/sources/rejects.ts';
import { reportArchiveDir } from '../../reports/archive-dir.ts';
import { createQueues } from '../../workflows/queues.ts';
import { findOrphanStep } from '../../workflows/reconcile-orphans.ts';
import { formatDuration } from '../board/runs/html.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { printOutcome, summaryJson } from '../print-run.ts';
import { readWithRetry } from '../wait-run.ts';

const DEFAULT_LIMIT = 20;

/** `cpd status [RUNKEY]`: one run in detail, or the latest runs (of one pipeline). */
export async function statusCommand(
  config: Config,
  runKey: string | undefined,
  json: boolean,
  print: (s: string) => void,
  opts: { pipeline?: string; limit: number } = { limit: DEFAULT_LIMIT },
): Promise<number> {
  const database = createDatabase(config.DATABASE_URL);
  // A short MySQL/Redis outage is ridden out (bounded), with a message on stderr.
  const retry = {
    budgetMs: config.CPD_CLIENT_RETRY_MS,
    notice: (line: string) => process.stderr.write(`${line}\n`),
  };
  try {
    if (runKey) {
      const summary = await readWithRetry('the run ledger', () => runSummary(database.db, runKey), retry);
      if (!summary) {
        print(json ? JSON.stringify({ error: `no run ${runKey}` }) : `no run ${runKey}`);
        return 1;
      }
      // The archived report, when the report step or the failure mail wrote one.
      const archive = path.join(
        reportArchiveDir(config, summary.pipeline, summary.businessDate),
        'index.html',
      );
      const report = existsSync(archive) ? archive : null;
      const rejects = await readRejects(database.pool, runKey, 10);
      // The publish invariant: what analysts query returns the pipeline's published table.
      const publication = await readWithRetry(
        'the published scores',
        () => verifyPublication(database.pool, summary.pipeline),
        retry,
      );
      // A running run whose step has no job in Redis will never advance by itself.
      const queues = createQueues(config);
      const orphan = await readWithRetry(
        'the queues',
        () => findOrphanStep(database.db, queues, runKey),
        retry,
      ).finally(() => queues.close());
      if (json)
        print(
          JSON.stringify({
            ...summaryJson(summary),
            report,
            rejects,
            publication,
            orphanStep: orphan?.step ?? null,
          }),
        );
      else {
        printOutcome(summary, print, true);
        if (report) print(`report: file://${report}`);
        printRejects(rejects, print);
        if (!publication.ok) print(`WARNING: ${publication.problem}`);
        if (orphan)
          print(
            `WARNING: step ${orphan.step} has no job in Redis (queue data lost?): nothing will advance this run by itself; the scheduler's reconciler re-creates its jobs, or run: cpd resume ${runKey}`,
          );
      }
      return 0;
    }
    const runs = await readWithRetry(
      'the run ledger',
      () =>
        database.db
          .select()
          .from(pipelineRuns)
          .where(opts.pipeline ? eq(pipelineRuns.pipeline, opts.pipeline) : undefined)
          .orderBy(desc(pipelineRuns.createdAt))
          .limit(opts.limit),
      retry,
    );
    const durationOf = (r: (typeof runs)[number]) =>
      r.startedAt ? (r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime() : null;
    if (json)
      print(
        JSON.stringify(
          runs.map((r) => ({
            runKey: r.runKey,
            pipeline: r.pipeline,
            businessDate: r.businessDate,
            status: r.status,
            generation: r.generation,
            error: r.error,
            createdAt: r.createdAt,
            startedAt: r.startedAt,
            finishedAt: r.finishedAt,
            durationMs: durationOf(r),
          })),
        ),
      );
    else {
      if (runs.length === 0)
        print(
          opts.pipeline
            ? `no runs of pipeline ${opts.pipeline}`
            : 'no runs yet: start one with `cpd run --pipeline config/pipelines/online-shoppers.json --wait`',
        );
      for (const r of runs) {
        const ms = durationOf(r);
        const took = ms === null ? '–' : `${r.finishedAt ? '' : 'for '}${formatDuration(ms)}`;
        print(
          `${r.runKey.padEnd(40)} ${r.status.padEnd(10)} ${r.createdAt.toISOString()}  ${took.padEnd(14)}${r.error ? `  ${r.error.slice(0, 200)}` : ''}`,
        );
      }
    }
    return 0;
  } finally {
    await database.close();
  }
}

function printRejects(rejects: Awaited<ReturnType<typeof readRejects>>, print: (s: string) => void): void {
  if (rejects.total === 0) return;
  print(`refused lines: ${rejects.total} stored in rejected_rows, the first ${rejects.first.length}:`);
  for (const r of rejects.first)
    print(
      `  ${path.basename(r.source)} line ${r.line ?? '?'}${r.column ? `, column ${r.column}` : ''}: ${r.reason}`,
    );
}

export const statusCmd: Command = {
  name: 'status',
  usage: 'cpd status [RUNKEY | PIPELINE] [--pipeline NAME] [--limit N] [--json]',
  options: {
    json: { type: 'boolean', default: false },
    pipeline: { type: 'string', valueName: 'NAME' },
    limit: { type: 'string', valueName: 'N', default: String(DEFAULT_LIMIT) },
  },
  run: ({ config, values, positionals, print }) => {
    const limit = Number(stringOption(values, 'limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
      throw new UsageError(
        `--limit must be a whole number from 1 to 1000, not "${stringOption(values, 'limit')}"`,
      );
    // A run key has an @; a bare name is a pipeline, as people type it.
    const [first] = positionals;
    const runKey = first?.includes('@') ? first : undefined;
    const pipeline = stringOption(values, 'pipeline') ?? (first && !runKey ? first : undefined);
    return statusCommand(config, runKey, values.json === true, print, { pipeline, limit });
  },
};
