import { describe, expect, it } from 'vitest';
import { parsePipeline, type TransactionsPipeline } from '../../config/pipeline.ts';
import { addDays, snapshotsFor } from './cutoffs.ts';

const pipeline = (label: Record<string, unknown>) =>
  parsePipeline(
    {
      name: 'p',
      mode: 'transactions',
      sources: [{ kind: 'file', path: 'x' }],
      columns: { customerId: 'c', timestamp: 't', amount: 'a' },
      label,
    },
    'x',
  ) as TransactionsPipeline;

describe('snapshots', () => {
  it('scores at T, validates at T − H and trains on earlier cutoffs whose label windows end before T', () => {
    expect(snapshotsFor(pipeline({ horizonDays: 90, snapshots: 2 }), '2011-09-10')).toEqual([
      { role: 'score', cutoff: '2011-09-10', labelEnd: null },
      { role: 'valid', cutoff: '2011-06-12', labelEnd: '2011-09-10' },
      { role: 'train', cutoff: '2011-03-14', labelEnd: '2011-06-12' },
      { role: 'train', cutoff: '2010-12-14', labelEnd: '2011-03-14' },
    ]);
  });

  it('uses the declared cutoff over the business date, and calendar days across leap years', () => {
    expect(snapshotsFor(pipeline({ cutoff: '2024-03-01', horizonDays: 1 }), '2030-01-01')[1]!.cutoff).toBe(
      '2024-02-29',
    );
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });
});
