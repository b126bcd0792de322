import { describe, expect, it } from 'vitest';
import type { RunReportData } from './report-data.ts';
import { valueSection } from './value-section.ts';

const base: RunReportData = {
  pipeline: 'shop',
  businessDate: '2024-07-01',
  runKey: 'shop@2024-07-01',
  status: 'succeeded',
};

describe('valueSection', () => {
  it('is absent without customer value (labeled pipelines, value off)', () => {
    expect(valueSection(base)).toBeUndefined();
  });

  it('shows each snapshot’s parameters, the MAE, the weekly tracking and the revenue deciles', () => {
    const s = valueSection({
      ...base,
      customerValue: {
        unit: 'week',
        horizonDays: 14,
        classifierFeatures: true,
        snapshots: [
          {
            role: 'score',
            cutoff: '2024-07-01',
            customers: 900,
            bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLik: -9582.43, repeatBuyers: 300 },
            gammaGamma: null,
          },
          {
            role: 'valid',
            cutoff: '2024-06-17',
            customers: 850,
            bgNbd: null,
            gammaGamma: {
              p: 6.25,
              q: 3.74,
              gamma: 15.44,
              logLik: -4000,
              customers: 300,
              frequencySpendCorrelation: 0.11,
            },
            evaluation: {
              customers: 850,
              ordersMae: 0.4321,
              predictedOrders: 120.4,
              actualOrders: 118,
              tracking: [
                { week: 1, predicted: 60.2, actual: 58 },
                { week: 2, predicted: 120.4, actual: 118 },
              ],
              revenueDeciles: null,
            },
          },
        ],
      },
    })!;
    const [intro, params, facts, tracking] = s.blocks;
    expect(intro).toMatchObject({ kind: 'paragraph', text: expect.stringContaining('α in weeks') });
    expect(params).toMatchObject({
      rows: [
        ['score 2024-07-01', '900', '0.243', '4.41', '0.793', '2.43', '-9582.4', '–', '–', '–', '–'],
        ['valid 2024-06-17', '850', '–', '–', '–', '–', '–', '6.25', '3.74', '15.4', '0.11'],
      ],
    });
    expect(facts).toMatchObject({
      items: [
        [expect.any(String), '0.432'],
        [expect.any(String), '120 / 118'],
      ],
    });
    expect(tracking).toMatchObject({
      rows: [
        ['1', '60', '58'],
        ['2', '120', '118'],
      ],
    });
    expect(s.blocks).toHaveLength(4);
  });
});
