import type { FailureCause, FailureInfo } from '../render/report-data.ts';
import type { PublicationFacts } from './gather-publication.ts';
import type { RunFacts } from './gather-run.ts';

/**
 * Why a run went wrong, in the three classes stakeholders are told about. A refused publish or a
 * quality bar is a model gate; a permanent error (not retried: bad data, a broken contract) is a
 * data contract; whatever was retried until attempts ran out (database, queue, network) is
 * infrastructure.
 */
export function failureCause(errorKind: 'permanent' | 'transient' | null, message: string): FailureCause {
  if (/\bgates?\b|quality bar|below the .* floor/i.test(message)) return 'model gate';
  return errorKind === 'permanent' ? 'data contract' : 'infrastructure';
}

/**
 * The failure box of a failed or degraded night: what failed, why, what was kept and the one
 * command that resumes the run. Undefined for a clean night.
 */
export function failureInfo(run: RunFacts, publication: PublicationFacts): FailureInfo | undefined {
  const resumeCommand = `npx cpd resume ${run.runKey}`;
  const blocked =
    publication.action === 'blocked'
      ? publication.gates.filter((g) => !g.passed && g.action === 'block')
      : [];
  if (run.status === 'failed') {
    const failed = [...run.steps].reverse().find((s) => s.status === 'failed');
    const step = run.failedStep ?? failed?.step ?? 'unknown';
    const message = (failed?.error ?? run.error ?? 'no error recorded').replace(new RegExp(`^${step}: `), '');
    const attempts = failed && failed.attempts > 1 ? ` (after ${failed.attempts} attempts)` : '';
    return {
      step,
      cause: failureCause(failed?.errorKind ?? null, message),
      message: `${message}${attempts}`,
      whatWasKept: kept(run, publication, step),
      resumeCommand,
    };
  }
  if (run.status === 'degraded' || blocked.length > 0) {
    return {
      step: 'score',
      cause: 'model gate',
      message: blocked.length
        ? blocked.map((g) => g.message).join('; ')
        : (run.error ?? 'the run finished degraded'),
      whatWasKept: kept(run, publication, 'score'),
      resumeCommand,
    };
  }
  return undefined;
}

function kept(run: RunFacts, publication: PublicationFacts, failedStep: string): string {
  const current = publication.current;
  const scores =
    current && current.runKey !== run.runKey
      ? `The previous scores (business date ${current.businessDate}) stay published in customer_scores; analysts see no change.`
      : current
        ? 'Tonight’s scores were already published before the failure and stay in customer_scores.'
        : 'No scores had been published for this pipeline yet, so nothing was replaced.';
  const done = run.steps.filter((s) => s.status === 'succeeded').map((s) => s.step);
  const data = done.length
    ? ` Tonight’s completed steps (${done.join(', ')}) keep their output, so the resume starts at "${failedStep}".`
    : '';
  return scores + data;
}
