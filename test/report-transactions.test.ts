import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { modeOf } from '../modes/index.ts';
import { gatherExploratory } from '../reports/gather/gather-exploratory.ts';
import { insertLines, type Line, stepContext, transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const T = '2024-07-01';
const pipeline = transactionsPipeline('txreport', { label: { horizonDays: 30, snapshots: 2 } });
const COUNTRIES = ['United Kingdom', 'France', 'Germany'];

/** 300 customers over half a year; French customers buy every week, the others once a month or so. */
function history(): Line[] {
  const lines: Line[] = [];
  for (let c = 0; c < 300; c++) {
    const country = COUNTRIES[c % 3]!;
    const every = country === 'France' ? 7 : 25 + (c % 20);
    for (let day = c % 11; day < 200; day += every) {
      const at = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
      lines.push([
        `${c}-${day}`,
        `P${day % 9}`,
        1 + (c % 4),
        `${at} 10:00:00`,
        2 + (c % 7),
        `${10_000 + c}`,
        country,
      ]);
    }
  }
  return lines;
}

describe('the exploratory section of a transactions pipeline', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('report_tx');
    await insertLines(t, pipeline.name, history());
    await clean.handler(stepContext(t, pipeline, T));
    await features.handler(stepContext(t, pipeline, T));
  });
  afterAll(async () => t?.cleanup());

  it('is chosen from customer_features: country and the busiest features, with decoded values', async () => {
    const exploratory = await gatherExploratory(
      t.database.pool,
      `${pipeline.name}@${T}`,
      ['recency_days', 'frequency', 'monetary'],
      modeOf(pipeline).exploratorySample,
    );
    const segments = exploratory?.segments ?? [];
    expect(segments.length).toBeGreaterThan(0);
    const country = segments.find((s) => s.name === 'country');
    expect(country?.rows.map((r) => r.value).sort()).toEqual([...COUNTRIES].sort());
    // France buys weekly: every French customer buys within the 30-day horizon.
    expect(country?.rows.find((r) => r.value === 'France')?.rate).toBe(1);
    const total = country!.rows.reduce((s, r) => s + r.n, 0);
    expect(segments.every((s) => s.rows.reduce((n, r) => n + r.n, 0) === total)).toBe(true);
    expect(exploratory?.featureDistributions?.map((d) => d.feature)[0]).toBe('recency_days');
  });
});
