import type { StepName } from '../config/steps.ts';
import type { LateRunDiagnosis } from '../reports/alerts/notify-outcome.ts';

/** What the watchdog found about one step job of the run's current generation. */
export interface StepJobFacts {
  step: StepName;
  /** BullMQ state, or 'missing' when the job is not in Redis. */
  state:
    | 'completed'
    | 'failed'
    | 'delayed'
    | 'active'
    | 'waiting'
    | 'waiting-children'
    | 'prioritized'
    | 'missing'
    | 'unknown';
  attemptsMade: number;
  maxAttempts: number;
  stalledCount: number;
  failedReason: string | null;
  /** Workers currently connected to the step's queue. */
  workers: number;
  /** When a delayed job (waiting out a backoff) will run. */
  retryAt: Date | null;
  /** Set when a sensor delayed the job to look for a late input again (since when it waits). */
  waitingSince?: Date | null;
}

export interface RunFacts {
  runKey: string;
  /** Ledger status, or null when the run was never started. */
  status: string | null;
  jobs: StepJobFacts[];
}

/**
 * Why a run is late, from the ledger and the queue states. BullMQ's default failure mode leaves
 * the later steps silently waiting, so the first step that has not completed says it all.
 */
export function diagnoseLateRun(f: RunFacts, pipelineHint: string): LateRunDiagnosis {
  const facts = f.jobs
    .filter((j) => j.state !== 'completed')
    .map(
      (j) =>
        `${j.step}: ${j.state}, attempts ${j.attemptsMade}/${j.maxAttempts}, workers ${j.workers}${j.failedReason ? `, last error: ${j.failedReason}` : ''}`,
    );
  if (f.status === null) {
    return {
      cause: 'never-started',
      reason:
        'the run never started: no ledger row, so no scheduler tick reached it (is `cpd scheduler` running?)',
      action: `start it now: cpd run --pipeline ${pipelineHint} --date ${f.runKey.split('@')[1] ?? ''}; then check the scheduler process and its log`,
      facts,
    };
  }
  if (['succeeded', 'degraded', 'cancelled'].includes(f.status))
    return { cause: 'finished', reason: `the run is ${f.status}`, action: 'nothing', facts };
  const stuck = f.jobs.find((j) => j.state !== 'completed');
  if (!stuck)
    return {
      cause: 'slow',
      reason: 'every step job completed but the ledger is not closed yet',
      action: `check cpd status ${f.runKey}`,
      facts,
    };
  const where = `step ${stuck.step}`;
  switch (stuck.state) {
    case 'failed':
      return {
        cause: 'failed',
        reason: `${where} failed for good (${stuck.attemptsMade}/${stuck.maxAttempts} attempts): ${stuck.failedReason ?? 'no reason recorded'}; the later steps wait for it`,
        action: `fix the cause, then: cpd resume ${f.runKey}`,
        facts,
      };
    case 'delayed':
      if (stuck.waitingSince)
        return {
          cause: 'waiting-input',
          reason: `${where} is waiting for a late input (sensor) since ${stuck.waitingSince.toISOString()}${stuck.retryAt ? `; next look at ${stuck.retryAt.toISOString()}` : ''}; it fails at the source's timeout`,
          action: `deliver the missing input (cpd status ${f.runKey} names it); the run continues by itself`,
          facts,
        };
      return {
        cause: 'waiting-retry',
        reason: `${where} failed attempt ${stuck.attemptsMade}/${stuck.maxAttempts} (${stuck.failedReason ?? 'unknown error'}) and waits for a retry${stuck.retryAt ? ` at ${stuck.retryAt.toISOString()}` : ''}`,
        action: `watch it with cpd status ${f.runKey}; if the error will not go away by itself, fix its cause`,
        facts,
      };
    case 'waiting':
    case 'prioritized':
      if (stuck.workers === 0) {
        return {
          cause: 'no-worker',
          reason: `no worker is listening on queue ${stuck.step}`,
          action: `start one: cpd worker --queues ${stuck.step}`,
          facts,
        };
      }
      return {
        cause: 'slow',
        reason: `${where} is queued behind other jobs (${stuck.workers} workers on its queue)`,
        action: 'add worker processes for the queue, or wait',
        facts,
      };
    case 'active':
      if (stuck.workers === 0 || stuck.stalledCount > 0) {
        return {
          cause: 'stalled',
          reason: `${where} stalled: ${stuck.workers === 0 ? 'the worker that held it is gone' : `it was redelivered ${stuck.stalledCount} time(s) after its worker stopped renewing the lock`}`,
          action:
            stuck.workers === 0
              ? `start a worker for it: cpd worker --queues ${stuck.step} (the job is redelivered)`
              : 'check the worker for CPU starvation or crashes; the job will be redelivered',
          facts,
        };
      }
      return {
        cause: 'slow',
        reason: `${where} is still running: the run is slow, not stuck`,
        action: `follow it with cpd status ${f.runKey}; raise the step timeout or add capacity if this repeats`,
        facts,
      };
    case 'missing':
      return {
        cause: 'jobs-missing',
        reason: `the job of ${where} is not in Redis (removed by hand, or evicted: check maxmemory-policy noeviction)`,
        action: `cpd resume ${f.runKey} (it starts the missing part again)`,
        facts,
      };
    default:
      return {
        cause: 'slow',
        reason: `${where} is ${stuck.state}`,
        action: `check cpd status ${f.runKey}`,
        facts,
      };
  }
}
