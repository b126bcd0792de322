import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { DataHealth } from '../render/report-data.ts';
import { queryRows } from './query-rows.ts';

/** The reference for "rows per source": the average of this many earlier runs. */
const AVERAGE_RUNS = 7;
const REASONS_SHOWN = 10;

interface SourceRow {
  source: string;
  paths: string;
  rows: number | string | null;
  /** Files of the source that were skipped tonight (same content as an already loaded one). */
  unchanged: number | string;
  files: number | string;
}

/**
 * Data health: rows per source against the 7-run average, rejects by reason, and the warnings
 * the features step recorded. A part without rows is left out; nothing at all omits the section.
 */
export async function gatherDataHealth(
  pool: Pool,
  runKey: string,
  pipeline: string,
  businessDate: string,
): Promise<DataHealth | undefined> {
  const health: DataHealth = {};
  const sources = await sourceRows(pool, runKey, pipeline, businessDate);
  if (sources?.length) health.sources = sources;
  const reasons = await queryRows<{ reason: string; n: number | string }>(
    pool,
    `SELECT reason, COUNT(*) AS n FROM rejected_rows WHERE run_key = ? GROUP BY reason ORDER BY n DESC, reason LIMIT ${REASONS_SHOWN}`,
    [runKey],
  );
  // Transactions mode drops lines by rule in clean (cancellations without a match, no customer, ...).
  const drops = await queryRows<{ reason: string; n: number | string }>(
    pool,
    `SELECT reason, COUNT(*) AS n FROM clean_drops WHERE run_key = ? GROUP BY reason ORDER BY n DESC LIMIT ${REASONS_SHOWN}`,
    [runKey],
  );
  const allReasons = [...reasons, ...drops.map((d) => ({ reason: `clean: ${d.reason}`, n: d.n }))];
  if (allReasons.length)
    health.rejectsByReason = allReasons.map((r) => ({ reason: r.reason, count: Number(r.n) }));
  const checks = await qualityChecks(pool, runKey);
  if (checks?.length) health.qualityChecks = checks;
  const drift = await driftFlags(pool, runKey);
  if (drift?.length) health.drift = drift;
  const [row] = await queryRows<{ warnings: unknown }>(
    pool,
    'SELECT warnings FROM feature_sets WHERE run_key = ?',
    [runKey],
  );
  const parsed = parseJsonValue<unknown>(row?.warnings);
  const warnings = Array.isArray(parsed)
    ? parsed.map((w) => (typeof w === 'string' ? w : JSON.stringify(w)))
    : undefined;
  if (warnings?.length) health.warnings = warnings;
  return Object.keys(health).length > 0 ? health : undefined;
}

async function sourceRows(
  pool: Pool,
  runKey: string,
  pipeline: string,
  businessDate: string,
): Promise<DataHealth['sources']> {
  const tonight = await queryRows<SourceRow>(
    pool,
    "SELECT source, GROUP_CONCAT(path SEPARATOR '\\n') AS paths, SUM(`rows`) AS `rows`, SUM(action = 'unchanged') AS unchanged, COUNT(*) AS files FROM source_files WHERE run_key = ? GROUP BY source ORDER BY MIN(id)",
    [runKey],
  );
  if (tonight.length === 0) return undefined;
  const history = await queryRows<{ source: string; avg_rows: number | string | null }>(
    pool,
    `SELECT f.source, SUM(f.\`rows\`) / COUNT(DISTINCT f.run_key) AS avg_rows
       FROM source_files f
       JOIN (SELECT run_key FROM pipeline_runs
              WHERE pipeline = ? AND business_date < ? AND status IN ('succeeded', 'degraded')
              ORDER BY business_date DESC LIMIT ${AVERAGE_RUNS}) r ON r.run_key = f.run_key
      WHERE f.action <> 'unchanged'
      GROUP BY f.source`,
    [pipeline, businessDate],
  );
  const rejected = await queryRows<{ source: string; n: number | string }>(
    pool,
    'SELECT source, COUNT(*) AS n FROM rejected_rows WHERE run_key = ? GROUP BY source',
    [runKey],
  );
  return tonight.map((s) => {
    const paths = new Set(s.paths.split('\n'));
    const rows = Number(s.rows ?? 0);
    const avg = history.find((h) => h.source === s.source)?.avg_rows;
    return {
      // The source name plus its file, so the reader knows which export it was.
      source:
        paths.size === 1
          ? `${s.source} (${path.basename([...paths][0]!)})`
          : `${s.source} (${paths.size} files)`,
      rows,
      // No earlier run: tonight is its own reference, so the table shows no false alarm.
      avg7: avg === null || avg === undefined ? rows : Number(avg),
      rejected: rejected.filter((r) => paths.has(r.source)).reduce((sum, r) => sum + Number(r.n), 0),
      // Every file of the source was skipped: nothing new arrived, which is not a drop to zero.
      ...(Number(s.unchanged) > 0 && Number(s.unchanged) === Number(s.files) ? { skipped: true } : {}),
    };
  });
}

const SEVERITY = { block: 'error', warn: 'warning' } as const;
const STATUS = { pass: 'pass', warn: 'warn', block: 'fail', skipped: 'skipped' } as const;

/** The data-quality checks of the run (quality_results), failures first. */
async function qualityChecks(pool: Pool, runKey: string): Promise<DataHealth['qualityChecks']> {
  const rows = await queryRows<{
    check_name: string;
    severity: string;
    outcome: string;
    limit_text: string;
    message: string;
  }>(
    pool,
    "SELECT check_name, severity, outcome, limit_text, message FROM quality_results WHERE run_key = ? ORDER BY FIELD(outcome, 'block', 'warn', 'skipped', 'pass'), id",
    [runKey],
  );
  return rows.map((r) => ({
    check: r.check_name,
    severity: r.outcome === 'skipped' ? 'info' : (SEVERITY[r.severity as keyof typeof SEVERITY] ?? 'warning'),
    status: STATUS[r.outcome as keyof typeof STATUS] ?? 'pass',
    detail: r.outcome === 'skipped' ? r.message : `${r.message} (limit ${r.limit_text})`,
  }));
}

/** PSI per feature against the training rows, largest first (drift_results). */
async function driftFlags(pool: Pool, runKey: string): Promise<DataHealth['drift']> {
  const rows = await queryRows<{ name: string; psi: number; band: string }>(
    pool,
    'SELECT name, psi, band FROM drift_results WHERE run_key = ? ORDER BY psi DESC, name LIMIT 15',
    [runKey],
  );
  return rows.map((r) => ({
    feature: r.name,
    psi: Number(r.psi),
    band:
      r.band === 'significant' || r.band === 'major'
        ? 'major'
        : r.band === 'moderate'
          ? 'moderate'
          : 'stable',
  }));
}
