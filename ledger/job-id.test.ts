import { describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { chunkJobId, parseChunkJobId, parseStepJobId, stepJobId } from './job-id.ts';

describe('step job ids', () => {
  it('round-trips run key, generation and step for every step', () => {
    for (const step of stepNames) {
      const id = stepJobId('online-shoppers@2026-11-24', 12, step);
      expect(id).toBe(`online-shoppers@2026-11-24.g12.${step}`);
      expect(parseStepJobId(id)).toEqual({ runKey: 'online-shoppers@2026-11-24', generation: 12, step });
    }
  });

  it('never holds a colon (BullMQ reserves it in job ids)', () => {
    expect(stepJobId('a-b-2@2026-01-01', 1, 'collect')).not.toContain(':');
  });

  it('takes the run key as everything before the last generation, even one that looks like a job id', () => {
    const runKey = 'odd.g3.load@2026-01-01';
    expect(parseStepJobId(stepJobId(runKey, 2, 'train'))).toEqual({ runKey, generation: 2, step: 'train' });
  });

  it('rejects ids that are not step job ids', () => {
    expect(parseStepJobId('online-shoppers@2026-11-24.deadline')).toBeUndefined();
    expect(parseStepJobId('online-shoppers@2026-11-24.g1.publish')).toBeUndefined();
    expect(parseStepJobId('online-shoppers@2026-11-24.gx.collect')).toBeUndefined();
    expect(parseStepJobId('.g1.collect')).toBeUndefined();
  });
});

describe('chunk job ids', () => {
  it('round-trips run key, generation, step and chunk, and is never taken for a step job', () => {
    const id = chunkJobId('odd.g3.load@2026-01-01', 2, 'score', 7);
    expect(id).toBe('odd.g3.load@2026-01-01.g2.score.c7');
    expect(parseChunkJobId(id)).toEqual({
      runKey: 'odd.g3.load@2026-01-01',
      generation: 2,
      step: 'score',
      chunk: 7,
    });
    expect(parseStepJobId(id)).toBeUndefined();
    expect(parseChunkJobId(stepJobId('a@2026-01-01', 1, 'score'))).toBeUndefined();
    expect(id).not.toContain(':');
  });
});
