import { existsSync } from 'node:fs';
import path from 'node:path';
import { desc } from 'drizzle-orm';
import type { Config } from '../../config/env.ts';
import { createDatabase } from '../../db/client.ts';
import { pipelineRuns } from '../../db/schema/index.ts';
import { runSummary } from '../../ledger/run-summary.ts';
import { reportArchiveDir } from '../../reports/archive-dir.ts';
import type { Command } from '../command.ts';
import { printOutcome, summaryJson } from '../print-run.ts';

/** `cpd status [RUNKEY]`: one run in detail, or the latest runs. */
export async function statusCommand(
  config: Config,
  runKey: string | undefined,
  json: boolean,
  print: (s: string) => void,
): Promise<number> {
  const database = createDatabase(config.DATABASE_URL);
  try {
    if (runKey) {
      const summary = await runSummary(database.db, runKey);
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
      if (json) print(JSON.stringify({ ...summaryJson(summary), report }));
      else {
        printOutcome(summary, print, true);
        if (report) print(`report: file://${report}`);
      }
      return 0;
    }
    const runs = await database.db
      .select()
      .from(pipelineRuns)
      .orderBy(desc(pipelineRuns.createdAt))
      .limit(20);
    if (json)
      print(
        JSON.stringify(
          runs.map((r) => ({
            runKey: r.runKey,
            status: r.status,
            error: r.error,
            createdAt: r.createdAt,
            finishedAt: r.finishedAt,
          })),
        ),
      );
    else {
      if (runs.length === 0)
        print(
          'no runs yet: start one with `cpd run --pipeline config/pipelines/online-shoppers.json --wait`',
        );
      for (const r of runs)
        print(
          `${r.runKey.padEnd(40)} ${r.status.padEnd(10)} ${r.createdAt.toISOString()}${r.error ? `  ${r.error}` : ''}`,
        );
    }
    return 0;
  } finally {
    await database.close();
  }
}

export const statusCmd: Command = {
  name: 'status',
  usage: 'cpd status [RUNKEY] [--json]',
  options: { json: { type: 'boolean', default: false } },
  run: ({ config, values, positionals, print }) =>
    statusCommand(config, positionals[0], values.json === true, print),
};
