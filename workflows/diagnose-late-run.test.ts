import { describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { diagnoseLateRun, type StepJobFacts } from './diagnose-late-run.ts';

const job = (
  step: StepJobFacts['step'],
  state: StepJobFacts['state'],
  extra: Partial<StepJobFacts> = {},
) => ({
  step,
  state,
  attemptsMade: 0,
  maxAttempts: 4,
  stalledCount: 0,
  failedReason: null,
  workers: 1,
  retryAt: null,
  ...extra,
});

describe('late-run diagnosis of a sensor', () => {
  it('says a run whose collect waits for a late input is waiting, not failing or retrying', () => {
    const d = diagnoseLateRun(
      {
        runKey: 'shop@2026-11-24',
        status: 'running',
        jobs: stepNames.map((s) =>
          s === 'collect'
            ? job(s, 'delayed', {
                waitingSince: new Date('2026-11-24T02:00:00Z'),
                retryAt: new Date('2026-11-24T02:01:00Z'),
              })
            : job(s, 'waiting-children'),
        ),
      },
      'shop.json',
    );
    expect(d.cause).toBe('waiting-input');
    expect(d.reason).toBe(
      "step collect is waiting for a late input (sensor) since 2026-11-24T02:00:00.000Z; next look at 2026-11-24T02:01:00.000Z; it fails at the source's timeout",
    );
  });

  it('still calls a backoff a retry', () => {
    const d = diagnoseLateRun(
      {
        runKey: 'shop@2026-11-24',
        status: 'running',
        jobs: [job('collect', 'delayed', { attemptsMade: 1, failedReason: 'ECONNRESET' })],
      },
      'shop.json',
    );
    expect(d.cause).toBe('waiting-retry');
  });
});
