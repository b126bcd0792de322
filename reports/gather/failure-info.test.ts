import { describe, expect, it } from 'vitest';
import { failureCause, failureInfo } from './failure-info.ts';
import type { RunFacts, StepFacts } from './gather-run.ts';

const step = (name: string, status: StepFacts['status'], extra: Partial<StepFacts> = {}): StepFacts => ({
  step: name,
  status,
  errorKind: null,
  error: null,
  durationMs: 10,
  rowsIn: null,
  rowsOut: null,
  attempts: 1,
  ...extra,
});

function run(extra: Partial<RunFacts>): RunFacts {
  return {
    runKey: 'shop@2026-11-24',
    pipeline: 'shop',
    businessDate: '2026-11-24',
    status: 'failed',
    error: null,
    failedStep: null,
    startedAt: null,
    finishedAt: null,
    steps: [],
    ...extra,
  };
}

describe('failureCause', () => {
  it('names the three classes stakeholders are told about', () => {
    expect(failureCause('permanent', 'sessions.csv line 1: column "Revenue" is missing')).toBe(
      'data contract',
    );
    expect(failureCause('transient', 'connect ECONNREFUSED 127.0.0.1:3306')).toBe('infrastructure');
    expect(failureCause(null, 'Connection lost: The server closed the connection.')).toBe('infrastructure');
    expect(failureCause('permanent', 'publish gate psi blocked: 0.41 > 0.25')).toBe('model gate');
  });
});

describe('failureInfo', () => {
  it('a failed run: the step, its error and attempts, what was kept and the resume command', () => {
    const info = failureInfo(
      run({
        failedStep: 'train',
        error: 'train: lost connection',
        steps: [
          step('collect', 'succeeded'),
          step('load', 'succeeded'),
          step('train', 'failed', { errorKind: 'transient', error: 'lost connection', attempts: 4 }),
        ],
      }),
      { gates: [], current: { runKey: 'shop@2026-11-23', businessDate: '2026-11-23' } },
    )!;
    expect(info).toMatchObject({
      step: 'train',
      cause: 'infrastructure',
      message: 'lost connection (after 4 attempts)',
      resumeCommand: 'npx cpd resume shop@2026-11-24',
    });
    expect(info.whatWasKept).toContain('business date 2026-11-23');
    expect(info.whatWasKept).toContain('(collect, load)');
  });

  it('nothing published yet says that nothing was replaced', () => {
    const info = failureInfo(
      run({
        failedStep: 'load',
        steps: [step('load', 'failed', { errorKind: 'permanent', error: 'bad file' })],
      }),
      { gates: [] },
    )!;
    expect(info.cause).toBe('data contract');
    expect(info.whatWasKept).toContain('nothing was replaced');
  });

  it('a blocked publish is a degraded night with the blocking gates as the message', () => {
    const info = failureInfo(run({ status: 'running' }), {
      action: 'blocked',
      gates: [
        { gate: 'rowCount', passed: true, action: 'block', message: 'fine' },
        { gate: 'psi', passed: false, action: 'block', message: 'score PSI 0.41 above 0.25' },
      ],
      current: { runKey: 'shop@2026-11-23', businessDate: '2026-11-23' },
    })!;
    expect(info).toMatchObject({ step: 'score', cause: 'model gate', message: 'score PSI 0.41 above 0.25' });
  });

  it('a clean night has no failure box', () => {
    expect(failureInfo(run({ status: 'running' }), { action: 'publish', gates: [] })).toBeUndefined();
  });
});
