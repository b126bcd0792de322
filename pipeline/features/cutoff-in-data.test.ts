import { describe, expect, it } from 'vitest';
import { parsePipeline, type TransactionsPipeline } from '../../config/pipeline.ts';
import { cutoffPastDataMessage } from './cutoff-in-data.ts';

const pipeline = (label: Record<string, unknown>) =>
  parsePipeline(
    {
      name: 'shop',
      mode: 'transactions',
      sources: [{ kind: 'file', path: 'x.csv' }],
      columns: { customerId: 'c', timestamp: 't', amount: 'a' },
      label,
    },
    'test',
  ) as TransactionsPipeline;

describe('cutoffPastDataMessage', () => {
  it('accepts a cutoff within the horizon of the last purchase (freshness warns about the gap)', () => {
    expect(cutoffPastDataMessage(pipeline({ horizonDays: 90 }), '2011-12-10', '2011-12-09')).toBeUndefined();
    expect(cutoffPastDataMessage(pipeline({ horizonDays: 90 }), '2012-03-08', '2011-12-09')).toBeUndefined();
  });

  it('refuses a business date past the data, naming both dates and the date to run', () => {
    const m = cutoffPastDataMessage(pipeline({ horizonDays: 30 }), '2026-11-29', '2011-12-09');
    expect(m).toMatch(
      /^the cutoff 2026-11-29 \(the business date \(--date\)\) is \d+ days after the data's last purchase \(2011-12-09\)/,
    );
    expect(m).toContain('cpd run --date 2011-12-10');
  });

  it('names label.cutoff when the file fixes it', () => {
    expect(
      cutoffPastDataMessage(pipeline({ horizonDays: 30, cutoff: '2012-06-01' }), '2026-01-01', '2011-12-09'),
    ).toContain('label.cutoff in the pipeline file');
  });
});
