import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.ts';

const commands = ['migrate', 'worker', 'run', 'status', 'resume', 'rollback', 'logs', 'board', 'backfill'];

describe('did you mean', () => {
  it('finds typos, swaps and unambiguous prefixes', () => {
    expect(didYouMean('stauts', commands)).toBe('status');
    expect(didYouMean('resmue', commands)).toBe('resume');
    expect(didYouMean('migrat', commands)).toBe('migrate');
    expect(didYouMean('rollbak', commands)).toBe('rollback');
    expect(didYouMean('limt', ['limit', 'pipeline', 'json'])).toBe('limit');
  });

  it('suggests nothing for something unrelated', () => {
    expect(didYouMean('deploy', commands)).toBeUndefined();
    expect(didYouMean('x', commands)).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
