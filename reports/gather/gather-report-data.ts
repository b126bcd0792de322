import { CronExpressionParser } from 'cron-parser';
import type { Pool } from 'mysql2/promise';
import { type Pipeline, pipelineSchema } from '../../config/pipeline.ts';
import { parseJsonValue } from '../../db/json-column.ts';
import { isStructural } from '../reason-sentences.ts';
import type { ReportHeadline, RunReportData, RunStatus } from '../render/report-data.ts';
import { failureInfo } from './failure-info.ts';
import { gatherBrief } from './gather-brief.ts';
import { gatherDataHealth } from './gather-data-health.ts';
import { gatherDecision, type RunDecision } from './gather-decision.ts';
import { type ExploratorySample, gatherExploratory } from './gather-exploratory.ts';
import { gatherMetrics, type RunModel } from './gather-metrics.ts';
import { gatherPublication, type PublicationFacts } from './gather-publication.ts';
import { gatherRun, type RunFacts, stepDurations } from './gather-run.ts';
import { CSV_ROWS, gatherScores } from './gather-scores.ts';
import { gatherTrend } from './gather-trend.ts';
import { gatherValidation } from './gather-validation.ts';
import { gatherValue } from './gather-value.ts';
import { queryRows } from './query-rows.ts';
import { tonightScores } from './tonight-scores.ts';

/**
 * Everything the report shows about one run, read from MySQL. Each section is gathered on its
 * own and left out when its rows do not exist (a failed night, a pipeline that never published).
 * A missing table or column is a broken schema, not an empty section: it fails the report loudly.
 */
export async function gatherReportData(
  pool: Pool,
  runKey: string,
  exploratorySample?: ExploratorySample,
): Promise<RunReportData> {
  const run = await gatherRun(pool, runKey);
  if (!run) throw new Error(`run ${runKey} is not in the ledger`);
  const publication = await gatherPublication(pool, runKey, run.pipeline);
  const failure = failureInfo(run, publication);
  const status = reportStatus(run, failure !== undefined);
  const data: RunReportData = { pipeline: run.pipeline, businessDate: run.businessDate, runKey, status };
  if (run.startedAt) data.startedAt = run.startedAt.toISOString();
  data.finishedAt = (run.finishedAt ?? new Date()).toISOString();
  if (failure) data.failure = failure;

  const config = await pipelineOf(pool, runKey);
  const model = await gatherMetrics(pool, runKey);
  if (model?.metrics) data.metrics = model.metrics;
  if (model?.baseRate !== undefined) data.baseRate = model.baseRate;
  const validation = await gatherValidation(pool, runKey);
  if (validation) data.validation = validation;
  const briefOptions = {
    ...(config?.brief ?? { topN: 20, movers: 5, attachRows: 40_000, glossary: {} }),
    shares: config?.segments ?? { top: 0.1, next: 0.2 },
    ...(config && 'label' in config ? { horizonDays: config.label.horizonDays } : {}),
  };
  // One summary of tonight's rows and one ordered read serve both the score sections and the brief.
  const tonight = await tonightScores(
    pool,
    run.pipeline,
    runKey,
    Math.max(briefOptions.attachRows, briefOptions.topN, CSV_ROWS),
  );
  const scores = await gatherScores(pool, runKey, run.pipeline, run.businessDate, tonight);
  Object.assign(data, scores);
  const decision = await gatherDecision(pool, runKey);
  if (decision) data.modelDecision = decision.decision;
  const headline = headlineOf(run, model, publication, decision);
  if (headline) data.headline = headline;

  const trend = await gatherTrend(pool, run.pipeline, run.businessDate);
  if (trend) data.trend = trend;
  const health = await gatherDataHealth(pool, runKey, run.pipeline, run.businessDate);
  const glossary = config?.brief.glossary ?? {};
  for (const d of health?.drift ?? []) if (isStructural(d.feature, glossary)) d.structural = true;
  if (health) data.dataHealth = health;
  if (config) data.timeZone = config.schedule.timezone;
  if (publication.current && publication.current.runKey !== runKey)
    data.stillPublished = publication.current.businessDate;
  const next = config && nextRun(config.schedule.cron, config.schedule.timezone);
  if (next) data.nextRun = next;
  const brief = await gatherBrief(pool, runKey, run.pipeline, run.businessDate, briefOptions, tonight);
  if (brief) data.brief = brief;
  const importance = (model?.metrics?.featureImportance ?? []).map((f) => f.feature);
  // Only a caller that knows the run's pipeline mode can say where its feature rows are.
  const exploratory =
    exploratorySample && (await gatherExploratory(pool, runKey, importance, exploratorySample));
  if (exploratory) data.exploratory = exploratory;
  const value = await gatherValue(pool, runKey);
  if (value) data.customerValue = value;
  const durations = stepDurations(run);
  if (durations.length) data.stepDurations = durations;
  return data;
}

/** The report step runs while the ledger still says "running": a run that got there succeeded, unless degraded. */
function reportStatus(run: RunFacts, hasFailure: boolean): RunStatus {
  if (run.status === 'failed') return 'failed';
  return run.status === 'degraded' || hasFailure ? 'degraded' : 'succeeded';
}

/** The headline exists once the score step ran: how many were scored and whether they were published. */
function headlineOf(
  run: RunFacts,
  model: RunModel | undefined,
  publication: PublicationFacts,
  decision: RunDecision | undefined,
): ReportHeadline | undefined {
  const score = run.steps.find((s) => s.step === 'score' && s.status === 'succeeded');
  if (!score || !model) return undefined;
  const published = publication.current?.runKey === run.runKey;
  const warned = publication.gates.filter((g) => !g.passed);
  const reason = !published
    ? publication.action === 'blocked'
      ? `A publish gate refused tonight’s scores (${warned.map((g) => g.gate).join(', ')}); the previous scores stay published.`
      : 'Tonight’s scores were not published; the previous scores stay in place.'
    : warned.length
      ? `Published with warnings: ${warned.map((g) => g.message).join('; ')}.`
      : publication.gates.length
        ? `All ${publication.gates.length} publish gates passed.`
        : 'Tonight’s scores replaced the previous ones in one step.';
  return {
    // Rows in: a blocked publish scored everyone but published none.
    customersScored: score.rowsIn ?? score.rowsOut ?? 0,
    scoresPublished: published,
    publishedReason: reason,
    // The registry's champion after tonight's decision scores; without a registry, tonight's model.
    modelVersion: `v${decision?.servingVersion ?? model.version}`,
    servingModel: 'champion',
  };
}

/** The pipeline file as the run recorded it (pipeline_runs.params); undefined if it no longer parses. */
async function pipelineOf(pool: Pool, runKey: string): Promise<Pipeline | undefined> {
  const [row] = await queryRows<{ params: unknown }>(
    pool,
    'SELECT params FROM pipeline_runs WHERE run_key = ?',
    [runKey],
  );
  const parsed = pipelineSchema.safeParse(parseJsonValue<unknown>(row?.params));
  return parsed.success ? parsed.data : undefined;
}

/** The next scheduled fire after now, for "when to expect the next list"; undefined if the cron does not parse. */
function nextRun(cron: string, timeZone: string): string | undefined {
  try {
    return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date() })
      .next()
      .toDate()
      .toISOString();
  } catch {
    // The scheduler validates crons; a report never fails for want of this one line.
    return undefined;
  }
}
