import { describe, expect, it } from 'vitest';
import { makeSynthetic } from '../../ml/datasets/synthetic.ts';
import { createRng } from '../../ml/random.ts';
import { leakSuspects } from './leak-guard.ts';
import { subgroupSuspects, subgroupWarning } from './subgroup-leak.ts';

const rule = { minPurity: 0.98, minShare: 0.1, minRows: 30 };

/** Synthetic customers plus `refund`: filled in after the purchase for 30 % of buyers only, 0 for everyone else. */
function withRefund(nRows: number, seed: number) {
  const d = makeSynthetic({ nRows, seed });
  const rng = createRng(seed, 5);
  const refund = Float64Array.from(d.labels, (y) => (y === 1 && rng.next() < 0.3 ? 5 + rng.next() * 50 : 0));
  return {
    ...d,
    featureNames: [...d.featureNames, 'refund'],
    categorical: [...d.categorical, false],
    columns: [...d.columns, refund],
  };
}

describe('leak guard: near-copy of the label in a subgroup', () => {
  it('names a column that copies the label for a share of buyers, with its subgroup and figures', () => {
    const d = withRefund(6_000, 3);
    // The single-feature rule lets it pass: the other 70 % of buyers look like everyone else.
    expect(leakSuspects(d, 0.95).map((s) => s.feature)).not.toContain('refund');
    const found = subgroupSuspects(d, rule);
    expect(found.map((s) => s.feature)).toEqual(['refund']);
    const s = found[0]!;
    expect(s.outcome).toBe(1);
    expect(s.purity).toBe(1);
    expect(s.share).toBeGreaterThan(0.25);
    expect(s.share).toBeLessThan(0.35);
    // The subgroup is the refunded rows: a range above zero.
    expect(s.subgroup).toMatch(/^in \[\d+(\.\d+)?, \d+(\.\d+)?\]$/);
    expect(Number(/\[([\d.]+),/.exec(s.subgroup)![1])).toBeGreaterThan(0);
    expect(subgroupWarning(s)).toContain(`feature "refund" nearly copies the label in a subgroup`);
    expect(subgroupWarning(s)).toContain('100.0 % bought');
  });

  it('catches a category and missing values that give the outcome away, and leaves honest features alone', () => {
    const d = makeSynthetic({ nRows: 4_000, seed: 8 });
    const rng = createRng(8, 1);
    // A call outcome recorded after the campaign: category 2 ("signed up") for 40 % of buyers.
    const outcome = Float64Array.from(d.labels, (y) =>
      y === 1 && rng.next() < 0.4 ? 2 : rng.next() < 0.5 ? 0 : 1,
    );
    // A churn date set after the window for non-buyers only: present for 30 % of them, missing otherwise.
    const churned = Float64Array.from(d.labels, (y) => (y === 0 && rng.next() < 0.3 ? 1 + rng.next() : NaN));
    // Balanced classes, so a subgroup pure in non-buyers means something too.
    let kept = 0;
    const idx = [...d.labels.keys()].filter((i) => d.labels[i] === 1 || kept++ % 4 === 0);
    const pick = (c: Float64Array) => Float64Array.from(idx, (i) => c[i]!);
    const m = {
      featureNames: [...d.featureNames, 'call_outcome', 'churned'],
      categorical: [...d.categorical, true, false],
      columns: [...d.columns, outcome, churned].map(pick),
      labels: Uint8Array.from(idx, (i) => d.labels[i]!),
    };
    const pos = m.labels.reduce((a, b) => a + b, 0);
    expect(pos / m.labels.length).toBeGreaterThan(0.3);
    const found = subgroupSuspects(m, rule);
    expect(found.map((s) => s.feature).sort()).toEqual(['call_outcome', 'churned']);
    expect(found.find((s) => s.feature === 'call_outcome')).toMatchObject({
      subgroup: '= category 2',
      outcome: 1,
    });
    expect(found.find((s) => s.feature === 'churned')!.outcome).toBe(0);
  });

  it('a label that is nearly all one outcome makes no subgroup suspicious, nor does a tiny pure group', () => {
    const n = 2_000;
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 100 === 0 ? 0 : 1));
    const x = Float64Array.from({ length: n }, (_, i) => i % 37);
    const tiny = Float64Array.from(labels, (y, i) => (y === 0 && i < 1_000 ? 99 : i % 5));
    const found = subgroupSuspects(
      { featureNames: ['x', 'tiny'], categorical: [false, false], columns: [x, tiny], labels },
      rule,
    );
    expect(found).toEqual([]);
  });
});
