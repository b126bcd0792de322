import { describe, expect, it } from 'vitest';
import { psi, psiBand } from './drift.ts';

describe('psi', () => {
  const reference = Array.from({ length: 1000 }, (_, i) => i);

  it('is 0 for the same distribution', () => {
    const r = psi(reference, reference);
    expect(r.psi).toBe(0);
    expect(r.band).toBe('stable');
    expect(r.bins).toHaveLength(10);
  });

  it('matches a hand computation for a shifted sample', () => {
    // Edges 100,200,…,900 → reference 10 % per bin. Current: 0..499 twice → 20 % in bins 1–5, 0 in 6–10.
    const current = [
      ...Array.from({ length: 500 }, (_, i) => i),
      ...Array.from({ length: 500 }, (_, i) => i),
    ];
    // 5 × (0.2 − 0.1)·ln(2) + 5 × (1e-4 − 0.1)·ln(1e-4 / 0.1) = 0.34657 + 3.45043
    const expected = 5 * 0.1 * Math.log(2) + 5 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    const r = psi(reference, current);
    expect(r.psi).toBeCloseTo(expected, 12);
    expect(r.band).toBe('significant');
  });

  it('counts missing values in their own bin', () => {
    const current = reference.map((v, i) => (i % 10 === 0 ? NaN : v));
    const r = psi(reference, current);
    expect(r.missing).toEqual({ reference: 0, current: 0.1 });
    expect(r.psi).toBeGreaterThan(0.1);
  });

  it('bands at 0.1 and 0.25', () => {
    expect([0.099, 0.1, 0.249, 0.25].map(psiBand)).toEqual(['stable', 'moderate', 'moderate', 'significant']);
  });
});
