import { describe, expect, it } from 'vitest';
import { rocAuc } from '../metrics.ts';
import { equalMean, selectBlend } from './select-blend.ts';

// Label = a + b > 0; member 0 sees a (+ noise), member 1 sees b, member 2 is a copy of member 0.
const n = 2_000;
let s = 7;
const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
const a = Float64Array.from({ length: n }, rand);
const b = Float64Array.from({ length: n }, rand);
const labels = Float64Array.from({ length: n }, (_, i) => (a[i]! + b[i]! > 0 ? 1 : 0));
const squash = (x: Float64Array): Float64Array => x.map((v) => 1 / (1 + Math.exp(-3 * v)));
const m0 = squash(a);
const m1 = squash(b.map((v) => 0.8 * v));
const auc = (p: Float64Array): number => rocAuc(labels, p);

describe('selectBlend (greedy forward selection, equal weights)', async () => {
  it('adds a member only when the equal-weight mean is strictly better', async () => {
    expect(auc(equalMean([m0, m1], [0, 1]))).toBeGreaterThan(Math.max(auc(m0), auc(m1)));
    expect(await selectBlend([m0, m1], 0, auc, { lowerIsBetter: false })).toEqual([0, 1]);
    // A copy of the start adds nothing (a tie): no blend.
    expect(await selectBlend([m0, new Float64Array(m0)], 0, auc, { lowerIsBetter: false })).toEqual([0]);
    // From a start figure already better than any mix: no blend either.
    expect(await selectBlend([m0, m1], 0, auc, { lowerIsBetter: false, startScore: 1 })).toEqual([0]);
  });

  it('stops at maxMembers, draws without replacement, and minimises when told', async () => {
    const copies = [m0, m1, new Float64Array(m0), squash(a.map((v, i) => v + b[i]! * 0.5))];
    const picked = await selectBlend(copies, 0, auc, { lowerIsBetter: false, maxMembers: 2 });
    expect(picked).toHaveLength(2);
    expect(new Set(picked).size).toBe(2);
    const brier = (p: Float64Array): number => p.reduce((t, v, i) => t + (v - labels[i]!) ** 2, 0) / n;
    const byBrier = await selectBlend([m0, m1], 1, brier, { lowerIsBetter: true });
    expect(byBrier[0]).toBe(1);
    if (byBrier.length === 2) expect(brier(equalMean([m0, m1], [0, 1]))).toBeLessThan(brier(m1));
    else expect(brier(equalMean([m0, m1], [0, 1]))).toBeGreaterThanOrEqual(brier(m1));
  });

  it('is deterministic: the same inputs give the same members', async () => {
    const ps = [m0, m1, squash(a.map((v, i) => v - b[i]!))];
    expect(await selectBlend(ps, 1, auc, { lowerIsBetter: false })).toEqual(
      await selectBlend(ps, 1, auc, { lowerIsBetter: false }),
    );
  });
});
