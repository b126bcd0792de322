import { describe, expect, it } from 'vitest';
import { chooseCandidate } from './choose-candidate.ts';
import type { HeadlineMetrics } from './headline-metrics.ts';

const m = (rocAuc: number | null, logLoss: number): HeadlineMetrics => ({
  rocAuc,
  prAuc: null,
  f1: null,
  topDecileCapture: null,
  logLoss,
  brier: null,
  accuracy: null,
  precision: null,
  recall: null,
  threshold: null,
});
const cand = (engine: string, metrics: HeadlineMetrics) => ({
  engine,
  metrics,
  fitMs: 1,
  calibration: 'platt',
});

describe('engine auto', () => {
  it('picks the best validation figure of the promotion metric and records every candidate', () => {
    const out = chooseCandidate('rocAuc', [
      cand('logistic', m(0.81, 0.4)),
      cand('hist', m(0.84, 0.5)),
      cand('gbdt', m(0.83, 0.3)),
    ]);
    expect(out.map((c) => [c.engine, c.value, c.chosen])).toEqual([
      ['logistic', 0.81, false],
      ['hist', 0.84, true],
      ['gbdt', 0.83, false],
    ]);
    const byLoss = chooseCandidate('logLoss', [
      cand('logistic', m(0.81, 0.4)),
      cand('hist', m(0.84, 0.5)),
      cand('gbdt', m(0.83, 0.3)),
    ]);
    expect(byLoss.find((c) => c.chosen)?.engine).toBe('gbdt');
  });

  it('a tie or an undefined figure keeps the earlier (simpler) candidate', () => {
    expect(
      chooseCandidate('rocAuc', [cand('logistic', m(0.8, 1)), cand('hist', m(0.8, 1))]).find((c) => c.chosen)
        ?.engine,
    ).toBe('logistic');
    expect(
      chooseCandidate('rocAuc', [cand('logistic', m(null, 1)), cand('hist', m(0.7, 1))]).find((c) => c.chosen)
        ?.engine,
    ).toBe('hist');
  });
});
