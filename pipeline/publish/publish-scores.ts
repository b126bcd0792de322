import type { Pool, PoolConnection } from 'mysql2/promise';
import { faultPoint } from '../../config/fault-point.ts';
import type { GatesConfig, Pipeline } from '../../config/pipeline.ts';
import type { Db } from '../../db/client.ts';
import { stopwatch } from '../stopwatch.ts';
import { checkGates, type GateResult, scoreQuantiles } from './check-gates.ts';
import { logPublication, publishedQuantiles } from './publication-log.ts';
import { type PublishKey, readPublishState, recordPublishPhase } from './publish-state.ts';
import { type HistoryFill, historyFromTable, recordHistory } from './record-history.ts';
import { refreshScoreViews } from './refresh-views.ts';
import { q, type ScoreTables, scoreTables, tableRun } from './score-tables.ts';
import type { ScoreSource, StageMeta } from './stage-scores.ts';
import { swapInStaging } from './swap-tables.ts';
import { verifyPublication } from './verify-publication.ts';

interface Published {
  kind: 'published';
  table: string;
  replacedRunKey: string | null;
  gates: GateResult[];
  warnings: GateResult[];
  historyRows: number;
  /** True when a retry finished a publish an earlier attempt had started (crashed after its RENAME). */
  resumed?: boolean;
}

export type PublishOutcome =
  | Published
  | {
      kind: 'blocked';
      table: string;
      publishedRunKey: string | null;
      gates: GateResult[];
      blocked: GateResult[];
    }
  /** An older night scored after a newer one was published (a backfill): history only. */
  | { kind: 'history-only'; table: string; publishedRunKey: string; historyRows: number };

export interface PublishInput {
  db: Db;
  conn: PoolConnection;
  /** For the history's own connection (it is written beside the staging table). */
  pool: Pool;
  pipeline: Pipeline;
  /** The night's scores: one worker's spool, or the chunks of a fan-out. */
  source: ScoreSource;
  population: number;
  meta: Omit<StageMeta, 'segments'>;
  /** The run's generation: retries of one generation share a publish, a rerun publishes afresh. */
  generation: number;
  actor: string;
  /** Filled with the duration of each phase, for the step details. */
  timings: Record<string, number>;
}

/** How long a second publisher of the same pipeline (a backfill, a manual rollback) may wait. */
// Lock names are hashed: MySQL 8 caps them at 64 characters, and pipeline + database names can exceed that.
const PUBLISH_LOCK_S = 300;

/**
 * A publish that reached one of these phases has its table in place: a retry finishes it instead
 * of starting over. A verified publish is complete, so a later job of the run (a rerun of the
 * step) publishes afresh, as before.
 */
const FINISHABLE = new Set(['swapped', 'views', 'logged']);

/** What a resumed publish needs to finish: stored with the `swapped` phase. */
interface SwappedState {
  published: Published;
  rows: number;
  quantiles: number[];
}

/**
 * Check the gates (on the scores in memory), stage and record history side by side, swap, refresh
 * the views, log, verify: the whole publish of one night, under a per-pipeline advisory lock so two runs of one pipeline never interleave their
 * renames. Each phase is recorded (score_publish_state); a retry after a crash at any phase
 * after the RENAME finishes the phases left, and no publish succeeds before `customer_scores`
 * is seen returning the night's rows.
 */
export async function publishScores(x: PublishInput): Promise<PublishOutcome> {
  const t = scoreTables(x.pipeline.name);
  const gates: GatesConfig = x.pipeline.gates;
  const lock = `cpd-publish/${t.pipeline}`;
  const [got] = await x.conn.query("SELECT GET_LOCK(CONCAT('cpd:', SHA1(CONCAT(?, DATABASE()))), ?) AS got", [
    `${lock}/`,
    PUBLISH_LOCK_S,
  ]);
  if ((got as { got: number | null }[])[0]?.got !== 1)
    throw new Error(`another publish of ${t.pipeline} held the lock for ${PUBLISH_LOCK_S}s`);
  try {
    const key: PublishKey = { pipeline: t.pipeline, runKey: x.meta.runKey, generation: x.generation };
    const state = await readPublishState(x.db, key);
    if (state && FINISHABLE.has(state.phase) && state.outcome) {
      const current = await tableRun(x.conn, t.current);
      if (current?.runKey === x.meta.runKey) {
        const stored = state.outcome as unknown as SwappedState;
        return await finishPublish(x, t, key, state.phase, {
          ...stored,
          published: { ...stored.published, resumed: true },
        });
      }
    }
    await recordPublishPhase(x.db, key, 'staging');
    const clock = stopwatch(x.timings);
    const meta: StageMeta = { ...x.meta, segments: x.pipeline.segments };
    const record = (fill: HistoryFill, commitAfter?: Promise<unknown>): ReturnType<typeof recordHistory> =>
      recordHistory(
        x.pool,
        fill,
        t.pipeline,
        x.meta.businessDate,
        x.pipeline.history.retentionDays,
        commitAfter,
      );
    const current = await tableRun(x.conn, t.current);
    const sameRun = current?.runKey === x.meta.runKey;
    if (current && !sameRun && current.businessDate > x.meta.businessDate) {
      // A backfill: yesterday's night only joins the history; the published table stays.
      let history: Awaited<ReturnType<typeof recordHistory>>;
      if (x.source.history) history = await record(x.source.history(t, meta));
      else {
        await x.source.stage(x.conn, t, meta);
        history = await record(historyFromTable(t.next));
        await x.conn.query(`DROP TABLE ${q(t.next)}`);
      }
      await recordPublishPhase(x.db, key, 'history-only');
      return {
        kind: 'history-only',
        table: t.current,
        publishedRunKey: current.runKey,
        historyRows: history.rows,
      };
    }
    const reference = sameRun ? await tableRun(x.conn, t.previous) : current;
    // The gates read the scores in memory, so they are checked before anything is written:
    // a refused night costs no staging, and staging and history can then run side by side.
    const verdict = checkGates(gates, {
      rows: x.source.rows,
      population: x.population,
      nullScores: x.source.scores.reduce((k, s) => (Number.isFinite(s) ? k : k + 1), 0),
      scores: x.source.scores,
      reference: reference && {
        runKey: reference.runKey,
        rows: reference.rows,
        quantiles: await publishedQuantiles(x.db, t.pipeline, reference.runKey),
      },
    });
    clock('gatesMs');
    if (verdict.blocked.length > 0) {
      // Yesterday's table stays; an earlier attempt's staging table goes (the numbers are in the ledger).
      await x.conn.query(`DROP TABLE IF EXISTS ${q(t.next)}`);
      await logPublication(x.db, {
        pipeline: t.pipeline,
        action: 'blocked',
        runKey: x.meta.runKey,
        replacedRunKey: current?.runKey ?? null,
        rows: x.source.rows,
        gates: verdict.results,
        actor: x.actor,
      });
      await recordPublishPhase(x.db, key, 'blocked');
      return {
        kind: 'blocked',
        table: t.current,
        publishedRunKey: current?.runKey ?? null,
        gates: verdict.results,
        blocked: verdict.blocked,
      };
    }
    // Two server threads: the staging table on this connection, the history on one of its own,
    // committed only once staging succeeded (a night that fails to stage leaves no history).
    const began = performance.now();
    const staged = x.source.stage(x.conn, t, meta).then((rows) => {
      x.timings.stageMs = Math.round(performance.now() - began);
      if (rows !== x.source.rows)
        throw new Error(`${t.next} holds ${rows} rows, ${x.source.rows} were scored`);
      return rows;
    });
    // historyMs: until the history's rows are written (its commit then waits for staging).
    const timed =
      (fill: HistoryFill): HistoryFill =>
      async (c) => {
        const n = await fill(c);
        x.timings.historyMs = Math.round(performance.now() - began);
        return n;
      };
    const recorded = x.source.history
      ? record(timed(x.source.history(t, meta)), staged)
      : staged.then(() => record(timed(historyFromTable(t.next))));
    const [stagedOutcome, recordedOutcome] = await Promise.allSettled([staged, recorded]);
    // Both settled before either's error is thrown: no write of this attempt outlives it.
    if (stagedOutcome.status === 'rejected') throw stagedOutcome.reason;
    if (recordedOutcome.status === 'rejected') throw recordedOutcome.reason;
    const rows = stagedOutcome.value;
    const history = recordedOutcome.value;
    clock('writeMs');
    await recordPublishPhase(x.db, key, 'history');
    await swapInStaging(x.conn, t, sameRun, gates.lockWaitSeconds);
    clock('swapMs');
    const swapped: SwappedState = {
      published: {
        kind: 'published',
        table: t.current,
        replacedRunKey: sameRun ? (reference?.runKey ?? null) : (current?.runKey ?? null),
        gates: verdict.results,
        warnings: verdict.warnings,
        historyRows: history.rows,
      },
      rows,
      quantiles: scoreQuantiles(x.source.scores),
    };
    await recordPublishPhase(x.db, key, 'swapped', swapped as unknown as Record<string, unknown>);
    return await finishPublish(x, t, key, 'swapped', swapped);
  } finally {
    await x.conn.query("SELECT RELEASE_LOCK(CONCAT('cpd:', SHA1(CONCAT(?, DATABASE()))))", [`${lock}/`]);
  }
}

/**
 * The phases after the RENAME, each idempotent: point the views at the tables (always: a crash
 * may have come between the RENAME and this), log the publication once, then check the end state.
 */
async function finishPublish(
  x: PublishInput,
  t: ScoreTables,
  key: PublishKey,
  from: string,
  s: SwappedState,
): Promise<Published> {
  await refreshScoreViews(x.conn);
  faultPoint('score.after-views');
  if (from === 'swapped' || from === 'views') {
    await recordPublishPhase(x.db, key, 'views');
    await logPublication(x.db, {
      pipeline: t.pipeline,
      action: 'publish',
      runKey: x.meta.runKey,
      replacedRunKey: s.published.replacedRunKey,
      rows: s.rows,
      gates: s.published.gates,
      scoreQuantiles: s.quantiles,
      actor: x.actor,
    });
    await recordPublishPhase(x.db, key, 'logged');
  }
  const check = await verifyPublication(x.conn, t.pipeline);
  // Not a permanent error: the retry refreshes the views again (another publisher may have raced us).
  if (!check.ok || check.runKey !== x.meta.runKey)
    throw new Error(check.problem ?? `${t.current} holds ${check.runKey}, not ${x.meta.runKey}`);
  await recordPublishPhase(x.db, key, 'verified');
  return s.published;
}
