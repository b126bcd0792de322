import { describe, expect, it } from 'vitest';
import {
  defaultGlossary,
  formatValue,
  isStructural,
  rankText,
  reasonSentence,
  ReasonWriter,
  sentenceTemplate,
} from './reason-sentences.ts';

describe('reasonSentence', () => {
  it('words a transactions feature from the default glossary, with its rank', () => {
    expect(reasonSentence('orders_90', 3, 0.08)).toBe('3 orders in the last 90 days (top 8 %)');
    expect(reasonSentence('recency_days', 12, 0.1)).toBe('Last order 12 days ago (top 10 %)');
    expect(reasonSentence('frequency', 1, 0.9)).toBe('1 order in total (bottom 10 %)');
    expect(reasonSentence('distinct_products', 1, 0.9)).toBe('1 different product bought (bottom 10 %)');
    expect(reasonSentence('cancellations', 1, 0.2)).toBe('1 cancelled order (top 20 %)');
    expect(reasonSentence('recency_days', 1, 0.01)).toBe('Last order 1 day ago (top 1 %)');
    expect(reasonSentence('distinct_products', 2, 0.9)).toBe('2 different products bought (bottom 10 %)');
    expect(reasonSentence('monetary', 1, 0.9)).toBe('Spent 1 in total (bottom 10 %)');
  });

  it('uses a declared glossary entry, its unit and phrase, and falls back to the feature name', () => {
    const glossary = {
      PageValues: { label: 'page value', unit: '$', lowerIsBetter: false, structural: false },
    };
    expect(reasonSentence('PageValues', 41.5, 0.03, glossary)).toBe('$41.5 page value (top 3 %)');
    expect(reasonSentence('ProductRelated_Duration', 1234.567, 0.2)).toBe(
      'Product Related Duration is 1,234.57 (top 20 %)',
    );
    expect(reasonSentence('Month', 'Nov', undefined)).toBe('Month is Nov');
    expect(reasonSentence('orders_90', null, undefined)).toBe('Orders in the last 90 days: not known');
  });

  it('ranks as a share of customers, never 0 %', () => {
    expect([0, 0.004, 0.5, 0.51, 1].map(rankText)).toEqual([
      'top 1 %',
      'top 1 %',
      'top 50 %',
      'bottom 49 %',
      'bottom 1 %',
    ]);
  });

  it('knows tenure drifts by design', () => {
    expect(isStructural('tenure_days')).toBe(true);
    expect(isStructural('orders_90')).toBe(false);
  });
});

describe('ReasonWriter', () => {
  it('writes the machine form, the value, the rank against the first chunk and the sentence', () => {
    const writer = new ReasonWriter({
      names: ['recency_days', 'orders_90', 'country'],
      categorical: [false, false, true],
      categories: { country: ['France', 'Germany'] },
      glossary: {},
    });
    const recency = Float64Array.from({ length: 100 }, (_, i) => i);
    const orders = Float64Array.from({ length: 100 }, (_, i) => i % 10);
    writer.observe([recency, orders, new Float64Array(100)]);
    const parse = (s: string) => JSON.parse(s) as Record<string, unknown>;
    // Recency: fewer days is better, so 4 days is in the best 5 %.
    expect(parse(writer.json(0, 0.123456789, 4))).toEqual({
      feature: 'recency_days',
      contribution: 0.123456789,
      value: 4,
      topShare: 0.05,
      sentence: 'Last order 4 days ago (top 5 %)',
    });
    expect(parse(writer.json(1, 0.05, 9)).sentence).toBe('9 orders in the last 90 days (top 10 %)');
    expect(parse(writer.json(2, 0.01, 1))).toEqual({
      feature: 'country',
      contribution: 0.01,
      value: 'Germany',
      sentence: 'Buys from Germany',
    });
    // A value seen before words the same (its tail is kept) with this row's own contribution.
    expect(parse(writer.json(0, -0.5, 4))).toEqual({
      ...parse(writer.json(0, 0.123456789, 4)),
      contribution: -0.5,
    });
    expect(parse(writer.json(0, 0.2, NaN))).toEqual({
      feature: 'recency_days',
      contribution: 0.2,
      value: null,
      sentence: parse(writer.json(0, 0.3, NaN)).sentence,
    });
  });
  it('words the same whether a value is remembered or not: repeating and continuous features alike', () => {
    const features = {
      names: ['recency_days', 'monetary'],
      categorical: [false, false],
      categories: {},
      glossary: {},
    };
    const reference = [
      Float64Array.from({ length: 1000 }, (_, i) => i % 90),
      Float64Array.from({ length: 1000 }, (_, i) => i * 7.31),
    ];
    const writer = new ReasonWriter(features);
    writer.observe(reference);
    // Days repeat (the writer keeps their words); money hardly does (it stops keeping them).
    for (let i = 0; i < 20_000; i++) {
      const days = i % 120;
      const money = 100 + (i % 7) * 0.01 + i * 1e-7;
      // A writer that has seen nothing before words each value from scratch.
      const fresh = ReasonWriter.from(writer.state());
      expect(writer.json(0, i / 1e5, days)).toBe(fresh.json(0, i / 1e5, days));
      expect(writer.json(1, -i / 1e5, money)).toBe(fresh.json(1, -i / 1e5, money));
    }
  });
});

describe('sentenceTemplate', () => {
  it('words every value exactly as reasonSentence, for glossary, declared and unknown features', () => {
    const glossary = {
      spend: { label: 'spend', unit: '£', decimals: 2 },
      visits: { label: 'visits  in total', unit: 'x', phrase: '  {value} {unit}   {label} ' },
      odd: { label: 'odd "quoted" label', phrase: '{label} \\ {value}' },
    };
    const features = [
      'recency_days',
      'frequency',
      'monetary',
      'trend',
      'country',
      'spend',
      'visits',
      'odd',
      'page_values',
      'BounceRates',
    ];
    const values = [0, 1, -1, 0.5, 1.004, -0.004, 2, 1234.5678, -98765.4321, 1e-9, 12_345_678];
    for (const f of features) {
      const template = sentenceTemplate(f, glossary);
      const entry = (glossary as Record<string, { decimals?: number }>)[f] ?? defaultGlossary[f];
      const decimals = entry?.decimals ?? 2;
      let used = 0;
      for (const v of values)
        for (const top of [undefined, 0.07, 0.5, 0.93]) {
          const fast = template(formatValue(v, decimals), top);
          if (fast !== undefined) expect(JSON.parse(fast)).toBe(reasonSentence(f, v, top, glossary));
          if (fast !== undefined) used++;
        }
      expect(used, `the template words most values of ${f}`).toBeGreaterThan(30);
    }
  });
});

describe('formatValue', () => {
  it('groups thousands and trims decimals like en-US', () => {
    expect([0, 1, -1, 1234.5, 1234567.891, 0.004, -0.004, 999.999].map((v) => formatValue(v))).toEqual([
      '0',
      '1',
      '-1',
      '1,234.5',
      '1,234,567.89',
      '0',
      '0',
      '1,000',
    ]);
    expect(formatValue(23.61, 0)).toBe('24');
    // Every group length at the front, and decimals trimmed to none.
    expect([100_000, 1_000_000, -12_345.5, 99_999.999, -1234.001].map((v) => formatValue(v))).toEqual([
      '100,000',
      '1,000,000',
      '-12,345.5',
      '100,000',
      '-1,234',
    ]);
    expect(formatValue(-0.5, 0)).toBe('-1');
    expect(formatValue(1.2345, 3)).toBe('1.234');
  });
});
