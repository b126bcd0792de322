import { describe, expect, it } from 'vitest';
import { gatesSchema } from '../../config/pipeline.ts';
import { checkGates, scoreQuantiles } from './check-gates.ts';

const gates = gatesSchema.parse({});
const uniform = (n: number, shift = 0): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.min(1, (i + 0.5) / n + shift));

describe('checkGates', () => {
  it('passes a full, complete night that looks like the last one', () => {
    const scores = uniform(1000);
    const v = checkGates(gates, {
      rows: 1000,
      population: 1000,
      nullScores: 0,
      scores,
      reference: { runKey: 'p@1', rows: 990, quantiles: scoreQuantiles(scores) },
    });
    expect(v.blocked).toEqual([]);
    expect(v.warnings).toEqual([]);
    expect(v.results.map((r) => r.gate)).toEqual(['rowCount', 'rowCount', 'nullScores', 'psi']);
  });

  it('blocks a table that lost rows or scores, with a reason an operator can read', () => {
    const v = checkGates(gates, {
      rows: 400,
      population: 1000,
      nullScores: 3,
      scores: uniform(400),
      reference: { runKey: 'p@1', rows: 1000, quantiles: null },
    });
    expect(v.blocked.map((r) => r.gate)).toEqual(['rowCount', 'rowCount', 'nullScores']);
    expect(v.blocked[0]!.message).toBe('400 rows scored of a population of 1000 (40.0 %, minimum 99.0 %)');
    expect(v.blocked[1]!.message).toMatch(/against 1000 in the published run p@1/);
  });

  it('warns on a shifted score distribution by default and blocks when the pipeline says so', () => {
    const input = {
      rows: 1000,
      population: 1000,
      nullScores: 0,
      scores: uniform(1000, 0.4),
      reference: { runKey: 'p@1', rows: 1000, quantiles: scoreQuantiles(uniform(1000)) },
    };
    const warn = checkGates(gates, input);
    expect(warn.warnings.map((r) => r.gate)).toEqual(['psi']);
    expect(warn.blocked).toEqual([]);
    const block = checkGates(gatesSchema.parse({ psi: { max: 0.25, action: 'block' } }), input);
    expect(block.blocked.map((r) => r.gate)).toEqual(['psi']);
    expect(block.blocked[0]!.value).toBeGreaterThan(0.25);
  });

  it('skips the comparisons on the first night', () => {
    const v = checkGates(gates, {
      rows: 10,
      population: 10,
      nullScores: 0,
      scores: uniform(10),
      reference: null,
    });
    expect(v.results.map((r) => r.gate)).toEqual(['rowCount', 'nullScores']);
  });
});

describe('scoreQuantiles', () => {
  it('gives 101 sorted quantiles from the lowest to the highest finite score', () => {
    const qs = scoreQuantiles(Float64Array.from([0.9, NaN, 0.1, 0.5]));
    expect(qs).toHaveLength(101);
    expect(qs[0]).toBe(0.1);
    expect(qs[100]).toBe(0.9);
    expect(qs[50]).toBe(0.5);
  });
});
