import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanHint, editDistance } from './did-you-mean.ts';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('schedule', 'schedule')).toBe(0);
    expect(editDistance('shedule', 'schedule')).toBe(1);
    expect(editDistance('shcedule', 'schedule')).toBe(1);
    expect(editDistance('cron', 'corn')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('didYouMean', () => {
  const keys = ['name', 'schedule', 'sources', 'recipients', 'model', 'mode'];
  it('suggests the closest known name for a typo', () => {
    expect(didYouMean('shedule', keys)).toBe('schedule');
    expect(didYouMean('recipents', keys)).toBe('recipients');
    expect(didYouMean('Source', keys)).toBe('sources');
    expect(didYouMean('CPD_ATTEMPT', ['CPD_ATTEMPTS', 'CPD_THREADS'])).toBe('CPD_ATTEMPTS');
  });
  it('suggests nothing when no name is close', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMeanHint('zzzzzzzz', keys)).toBe('');
    expect(didYouMeanHint('modle', keys)).toBe(' (did you mean "model"?)');
  });
});
