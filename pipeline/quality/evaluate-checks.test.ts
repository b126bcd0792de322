import { describe, expect, it } from 'vitest';
import { evaluateChecks } from './evaluate-checks.ts';

describe('data-quality checks', () => {
  it('compares the row count with the average of the last 7 runs, once there is a baseline', () => {
    const check = [
      { check: 'row-count' as const, severity: 'block' as const, maxDeviation: 0.5, minHistory: 3 },
    ];
    expect(evaluateChecks(check, { rows: 40 }, [100, 100])[0]!.outcome).toBe('skipped');
    const r = evaluateChecks(check, { rows: 40 }, [100, 100, 100, 100, 100, 100, 100, 10_000]);
    expect(r[0]).toMatchObject({ outcome: 'block', value: 40 });
    expect(r[0]!.message).toContain('average of 100 over the last 7 runs');
    expect(evaluateChecks(check, { rows: 120 }, [100, 100, 100])[0]!.outcome).toBe('pass');
  });

  it('warns or blocks as declared on null rate, duplicates, freshness and base rate', () => {
    const r = evaluateChecks(
      [
        { check: 'null-rate', severity: 'warn', column: 'customer_id', max: 0.2 },
        { check: 'duplicate-rate', severity: 'block', max: 0.05 },
        { check: 'freshness', severity: 'warn', maxDays: 3 },
        { check: 'base-rate', severity: 'block', min: 0.01, max: 0.99 },
      ],
      { nullRates: { customer_id: 0.25 }, duplicateRate: 0.01, freshnessDays: 10, baseRate: 0.5 },
      [],
    );
    expect(r.map((x) => [x.checkName, x.outcome])).toEqual([
      ['null-rate:customer_id', 'warn'],
      ['duplicate-rate', 'pass'],
      ['freshness', 'warn'],
      ['base-rate', 'pass'],
    ]);
  });

  it('evaluates only the checks whose figures the step measured', () => {
    expect(
      evaluateChecks([{ check: 'freshness', severity: 'warn', maxDays: 3 }], { baseRate: 0.3 }, []),
    ).toEqual([]);
  });
});
