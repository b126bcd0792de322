import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from './json-file.ts';

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a": [1, 2]}', 'x.json')).toEqual({ a: [1, 2] });
  });

  it('names line and column of a syntax error, with the line and a caret', () => {
    const text = '{\n  "name": "shop",\n  "mode": "labeled",,\n  "x": 1\n}\n';
    let error: unknown;
    try {
      parseJson(text, 'p.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JsonSyntaxError);
    const e = error as JsonSyntaxError;
    expect([e.line, e.column]).toEqual([3, 21]);
    expect(e.message).toMatch(/^p\.json:3:21: invalid JSON/);
    expect(e.message).toContain(`\n    "mode": "labeled",,\n  ${' '.repeat(20)}^`);
    expect(e.message).not.toMatch(/position/);
  });

  it('points past the last line when the text ends early', () => {
    expect(() => parseJson('{\n  "a": 1,\n', 'p.json')).toThrow(/^p\.json:3:1: invalid JSON/);
  });
});
