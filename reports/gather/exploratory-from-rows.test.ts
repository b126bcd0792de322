import { describe, expect, it } from 'vitest';
import { exploratoryFromRows, type FeatureFrame } from './exploratory-from-rows.ts';

/** Deterministic rows: visitor type decides most of the purchase rate, region none of it. */
function frame(n = 2_000): FeatureFrame {
  const visitor = new Float64Array(n);
  const region = new Float64Array(n);
  const pageValue = new Float64Array(n);
  const noise = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    visitor[i] = i % 10 === 0 ? 1 : 0;
    region[i] = i % 5;
    labels[i] = visitor[i] === 1 ? (i % 20 === 0 ? 1 : 0) : i % 17 === 0 ? 1 : 0;
    pageValue[i] = labels[i] ? 40 + (i % 30) : i % 25;
    noise[i] = (i * 7919) % 1000;
  }
  pageValue[3] = 1e9; // one extreme customer must not squash the histogram
  return {
    names: ['VisitorType', 'Region', 'PageValues', 'Noise'],
    categorical: [true, false, false, false],
    categories: { VisitorType: ['Returning_Visitor', 'New_Visitor'] },
    labels,
    columns: [visitor, region, pageValue, noise],
    importance: ['PageValues', 'VisitorType', 'Noise', 'Region'],
  };
}

describe('exploratoryFromRows', () => {
  it('picks categories first, then the groupings whose purchase rates differ most, with decoded names', () => {
    const out = exploratoryFromRows(frame())!;
    const names = out.segments!.map((s) => s.name);
    // The category first, then the groupings that explain most (a band of the strongest feature).
    expect(names[0]).toBe('VisitorType');
    expect(names[1]).toBe('PageValues');
    const visitor = out.segments!.find((s) => s.name === 'VisitorType')!;
    expect(visitor.rows.map((r) => r.value)).toEqual(['Returning_Visitor', 'New_Visitor']);
    expect(visitor.rows[1]).toMatchObject({ n: 200, rate: 0.5 });
    expect(visitor.rows.reduce((s, r) => s + r.n, 0)).toBe(2_000);
  });

  it('bands a continuous important feature into quartiles and keeps few-valued numbers as groups', () => {
    const out = exploratoryFromRows({ ...frame(), importance: ['Noise', 'Region'] })!;
    const noise = out.segments!.find((s) => s.name === 'Noise');
    if (noise) expect(noise.rows.length).toBeLessThanOrEqual(4);
    const region = out.segments!.find((s) => s.name === 'Region');
    if (region) expect(region.rows.map((r) => r.value)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('shows the distributions of the most important numeric features, clipped to the 1st-99th percentile', () => {
    const out = exploratoryFromRows(frame())!;
    const dists = out.featureDistributions!;
    expect(dists.map((d) => d.feature)).toEqual(['PageValues', 'Noise']);
    const page = dists[0]!;
    expect(page.bins).toHaveLength(15);
    expect(page.bins.at(-1)!.end).toBeLessThan(100);
    const total = page.bins.reduce((s, b) => s + b.label0 + b.label1, 0);
    expect(total).toBe(2_000);
  });

  it('returns nothing for no rows', () => {
    expect(exploratoryFromRows({ ...frame(0), importance: [] })).toBeUndefined();
  });
});
