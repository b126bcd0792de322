import { describe, expect, it } from 'vitest';
import { groupHistories } from './histories.ts';

describe('groupHistories', () => {
  it('groups equal triples in first-seen order, 0 and −0 as one value', () => {
    const g = groupHistories({
      x: Float64Array.of(2, 0, 2, 1, 0, 2, 1),
      tx: Float64Array.of(3.5, 0, 3.5, 1 / 7, -0, 3.5, 2 / 14),
      T: Float64Array.of(10, 4, 10, 9, 4, 11, 9),
    });
    expect([...g.x]).toEqual([2, 0, 1, 2]);
    expect([...g.tx]).toEqual([3.5, 0, 1 / 7, 3.5]);
    expect([...g.T]).toEqual([10, 4, 9, 11]);
    expect([...g.count]).toEqual([2, 2, 2, 1]);
    expect([...g.groupOf]).toEqual([0, 1, 0, 2, 1, 3, 2]);
    expect(g.customers).toBe(7);
  });

  it('matches a grouping by text key on many colliding-looking triples', () => {
    const n = 50_000;
    const x = new Float64Array(n);
    const tx = new Float64Array(n);
    const T = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      T[i] = ((i * 7919) % 730) / 7;
      x[i] = i % 5 === 0 ? 0 : (i * 31) % 17;
      tx[i] = x[i] ? Math.min(T[i]!, ((i * 13) % 97) / 7) : 0;
    }
    const g = groupHistories({ x, tx, T });
    const byKey = new Map<string, number>();
    const want = Array.from({ length: n }, (_, i) => {
      const key = `${x[i]}|${tx[i]}|${T[i]}`;
      if (!byKey.has(key)) byKey.set(key, byKey.size);
      return byKey.get(key)!;
    });
    expect(g.x.length).toBe(byKey.size);
    expect([...g.groupOf]).toEqual(want);
    expect(g.count.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('refuses a history that is not a repeat-purchase summary', () => {
    expect(() =>
      groupHistories({ x: Float64Array.of(1), tx: Float64Array.of(5), T: Float64Array.of(4) }),
    ).toThrow(/customer 0: not a repeat-purchase summary/);
  });
});
