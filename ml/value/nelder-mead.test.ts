import { describe, expect, it } from 'vitest';
import { minimize } from './nelder-mead.ts';

describe('minimize', () => {
  it('finds the minimum of the Rosenbrock valley, the same way every time', () => {
    const rosen = ([x, y]: number[]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;
    const a = minimize(rosen, [-1.2, 1], { tolerance: 1e-14 });
    expect(a.converged).toBe(true);
    expect(a.x[0]).toBeCloseTo(1, 4);
    expect(a.x[1]).toBeCloseTo(1, 4);
    expect(minimize(rosen, [-1.2, 1], { tolerance: 1e-14 })).toEqual(a);
  });

  it('walks away from NaN regions', () => {
    const f = ([x]: number[]) => (x! < 0 ? NaN : (x! - 2) ** 2);
    expect(minimize(f, [0.1]).x[0]).toBeCloseTo(2, 4);
  });
});
