import { queryRows } from './gather/query-rows.ts';
import { type RunReportDeps, type RunReportOutcome, sendRunReport } from './send-run-report.ts';

/**
 * The stakeholder mail of a run that failed for good: what failed, why (data contract,
 * infrastructure, model gate), what was kept and the command that resumes it. Called by the step
 * runner after the ledger marked the run failed; does nothing if it is not failed (e.g. a late
 * attempt of a step of a run that has since been resumed), so it can never mail a false alarm.
 */
export async function sendFailureReport(
  deps: RunReportDeps,
  runKey: string,
): Promise<RunReportOutcome | undefined> {
  const [run] = await queryRows<{ status: string }>(
    deps.pool,
    'SELECT status FROM pipeline_runs WHERE run_key = ?',
    [runKey],
  );
  if (run?.status !== 'failed') return undefined;
  return sendRunReport(deps, runKey);
}
