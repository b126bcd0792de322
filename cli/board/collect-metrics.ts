import type { Queue } from 'bullmq';
import type { Pool } from 'mysql2/promise';
import type { MetricFamily } from './prometheus-text.ts';

const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'waiting-children',
  'prioritized',
] as const;

interface Row {
  [column: string]: unknown;
}

/**
 * Reads what ops graph and alert on: from the run ledger in MySQL (last success, run duration,
 * customers scored, last ROC-AUC) and from the BullMQ queues in Redis (depths, failed jobs).
 * A source that cannot be read is reported by `cpd_scrape_error` instead of failing the scrape,
 * so "Redis is down" is itself visible on the dashboard.
 */
export async function collectMetrics(pool: Pool, queues: readonly Queue[]): Promise<MetricFamily[]> {
  const [ledger, queueFamilies] = await Promise.all([
    settle(ledgerMetrics(pool)),
    settle(queueMetrics(queues)),
  ]);
  return [
    ...(ledger ?? []),
    ...(queueFamilies ?? []),
    {
      name: 'cpd_scrape_error',
      help: 'Whether a source could not be read during this scrape (1) or could (0).',
      type: 'gauge',
      samples: [
        { labels: { source: 'mysql' }, value: ledger ? 0 : 1 },
        { labels: { source: 'redis' }, value: queueFamilies ? 0 : 1 },
      ],
    },
  ];
}

/** BullMQ's connection waits for Redis forever (maxRetriesPerRequest: null); a scrape must not. */
const SOURCE_TIMEOUT_MS = 3_000;

async function settle<T>(p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), SOURCE_TIMEOUT_MS)),
  );
  const settled = p.then(
    (v) => v,
    () => undefined,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function ledgerMetrics(pool: Pool): Promise<MetricFamily[]> {
  const query = async (sql: string) => (await pool.query(sql))[0] as Row[];
  const [lastSuccess, lastRun, scored, auc] = await Promise.all([
    query(
      "SELECT pipeline, UNIX_TIMESTAMP(MAX(finished_at)) AS v FROM pipeline_runs WHERE status IN ('succeeded', 'degraded') GROUP BY pipeline",
    ),
    query(
      `SELECT r.pipeline, r.status, TIMESTAMPDIFF(MICROSECOND, r.started_at, r.finished_at) / 1e6 AS v
       FROM pipeline_runs r JOIN (SELECT pipeline, MAX(id) AS id FROM pipeline_runs WHERE finished_at IS NOT NULL AND started_at IS NOT NULL GROUP BY pipeline) l ON l.id = r.id`,
    ),
    query('SELECT pipeline, COUNT(*) AS v FROM customer_scores GROUP BY pipeline'),
    query(
      `SELECT m.pipeline, JSON_UNQUOTE(JSON_EXTRACT(m.metrics, '$.rocAuc')) AS v
       FROM model_versions m JOIN (SELECT pipeline, MAX(id) AS id FROM model_versions WHERE metrics IS NOT NULL GROUP BY pipeline) l ON l.id = m.id`,
    ),
  ]);
  const byPipeline = (rows: Row[], extra: (r: Row) => Record<string, string> = () => ({})) =>
    rows
      .filter((r) => r.v !== null && Number.isFinite(Number(r.v)))
      .map((r) => ({ labels: { pipeline: String(r.pipeline), ...extra(r) }, value: Number(r.v) }));
  return [
    {
      name: 'cpd_pipeline_last_success_timestamp_seconds',
      help: 'When the last successful (or degraded) run of each pipeline finished, Unix time.',
      type: 'gauge',
      samples: byPipeline(lastSuccess),
    },
    {
      name: 'cpd_run_duration_seconds',
      help: 'Duration of the last finished run of each pipeline, from the first step start to the end.',
      type: 'gauge',
      samples: byPipeline(lastRun, (r) => ({ status: String(r.status) })),
    },
    {
      name: 'cpd_customers_scored',
      help: 'Customers in the scored table customer_scores, per pipeline.',
      type: 'gauge',
      samples: byPipeline(scored),
    },
    {
      name: 'cpd_model_roc_auc',
      help: 'Validation ROC-AUC of the last evaluated model of each pipeline.',
      type: 'gauge',
      samples: byPipeline(auc),
    },
  ];
}

async function queueMetrics(queues: readonly Queue[]): Promise<MetricFamily[]> {
  const counts = await Promise.all(
    queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...JOB_STATES) })),
  );
  return [
    {
      name: 'cpd_queue_jobs',
      help: 'Jobs in each step queue, by BullMQ state.',
      type: 'gauge',
      samples: counts.flatMap(({ queue, counts: c }) =>
        JOB_STATES.map((state) => ({ labels: { queue, state }, value: c[state] ?? 0 })),
      ),
    },
    {
      name: 'cpd_failed_jobs',
      help: 'Failed jobs kept in each step queue (waiting for a retry or a resume).',
      type: 'gauge',
      samples: counts.map(({ queue, counts: c }) => ({ labels: { queue }, value: c.failed ?? 0 })),
    },
  ];
}
