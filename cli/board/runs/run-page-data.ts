import { existsSync } from 'node:fs';
import path from 'node:path';
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { modelDecisions, pipelineRuns, scorePublications, stepRuns } from '../../../db/schema/index.ts';
import { readStepLogs, type StoredLogLine } from '../../../ledger/step-logs.ts';
import { versionNumbers } from '../../../pipeline/registry/version-numbers.ts';

export type RunRow = typeof pipelineRuns.$inferSelect;
export type AttemptRow = typeof stepRuns.$inferSelect;
export type DecisionRow = typeof modelDecisions.$inferSelect;
export type PublicationRow = typeof scorePublications.$inferSelect;

export interface RunPage {
  run: RunRow;
  timezone: string;
  /** The generation shown (the run's current one unless asked). */
  generation: number;
  attempts: AttemptRow[];
  logs: StoredLogLine[];
  /** The run's decision, its versions as numbers within the pipeline (v3), not ids. */
  decision: DecisionRow | null;
  publication: PublicationRow | null;
  /** Absolute path of the archived report, when one was written. */
  reportFile: string | null;
}

/** Everything the run page shows, in six queries. */
export async function loadRunPage(
  db: Db,
  runKey: string,
  opts: { generation?: number; reportDir?: (pipeline: string, businessDate: string) => string },
): Promise<RunPage | undefined> {
  const [run] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.runKey, runKey));
  if (!run) return undefined;
  const generation = opts.generation ?? run.generation;
  const attempts = await db
    .select()
    .from(stepRuns)
    .where(eq(stepRuns.runKey, runKey))
    .orderBy(asc(stepRuns.id));
  const logs = await readStepLogs(db, runKey, { generation });
  const [stored] = await db.select().from(modelDecisions).where(eq(modelDecisions.runKey, runKey));
  const decision = stored && (await withVersionNumbers(db, stored));
  const [publication] = await db
    .select()
    .from(scorePublications)
    .where(eq(scorePublications.runKey, runKey))
    .orderBy(desc(scorePublications.id))
    .limit(1);
  const report = opts.reportDir && path.join(opts.reportDir(run.pipeline, run.businessDate), 'index.html');
  const timezone = (run.params as { schedule?: { timezone?: string } } | null)?.schedule?.timezone ?? 'UTC';
  return {
    run,
    timezone,
    generation,
    attempts,
    logs,
    decision: decision ?? null,
    publication: publication ?? null,
    reportFile: report && existsSync(report) ? report : null,
  };
}

async function withVersionNumbers(db: Db, d: DecisionRow): Promise<DecisionRow> {
  const n = await versionNumbers(db, [d.challengerVersion, d.championVersion, d.resultVersion]);
  const label = (id: number | null) => (id === null ? null : (n.get(id) ?? id));
  return {
    ...d,
    challengerVersion: label(d.challengerVersion)!,
    championVersion: label(d.championVersion),
    resultVersion: label(d.resultVersion),
  };
}
