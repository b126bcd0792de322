import { describe, expect, it } from 'vitest';
import { hyp2f1, lgamma } from './special.ts';

describe('lgamma', () => {
  it('matches known values', () => {
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13); // Γ(1/2) = √π
    expect(lgamma(10)).toBeCloseTo(Math.log(362_880), 12); // 9!
    expect(lgamma(0.1)).toBeCloseTo(2.252712651734206, 12); // Γ(0.1) = 9.51350769866873
    // Stirling's series at 1000: (x − ½)ln x − x + ½ln 2π + 1/(12x)
    const s = 999.5 * Math.log(1000) - 1000 + 0.5 * Math.log(2 * Math.PI) + 1 / 12_000;
    expect(lgamma(1000) / s).toBeCloseTo(1, 13);
  });
});

describe('hyp2f1', () => {
  it('reproduces closed forms', () => {
    for (const z of [-0.9, -0.3, 0.1, 0.5, 0.95]) {
      // 2F1(1, 1; 2; z) = −ln(1 − z)/z
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 12);
      // 2F1(a, b; b; z) = (1 − z)^−a
      expect(hyp2f1(2.5, 3.3, 3.3, z)).toBeCloseTo(Math.pow(1 - z, -2.5), 9);
    }
    // A terminating series: 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    expect(hyp2f1(-2, 1.5, 2.5, 0.4)).toBeCloseTo(
      1 - (2 * 1.5 * 0.4) / 2.5 + (1.5 * 2.5 * 0.16) / (2.5 * 3.5),
      14,
    );
  });

  it('refuses |z| >= 1 rather than return a wrong value', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/\|z\| < 1/);
  });
});
