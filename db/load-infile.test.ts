import { describe, expect, it } from 'vitest';
import { encodeRows, escapeCell } from './load-infile.ts';

describe('LOAD DATA text', () => {
  it('escapes backslash, tab, newline, carriage return and NUL, and nothing else', () => {
    expect(escapeCell('a\\b\tc\nd\re\0f')).toBe('a\\\\b\\tc\\nd\\re\\0f');
    expect(escapeCell('Ünïcödé "quoted", 100%')).toBe('Ünïcödé "quoted", 100%');
    expect(escapeCell('')).toBe('');
    expect(escapeCell(null)).toBe('\\N');
    expect(escapeCell(-0.000123)).toBe('-0.000123');
    expect(escapeCell(1e21)).toBe('1e+21');
  });

  it('writes whole rows, tab-separated, in chunks that end at a line end', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => [i, `id\t${i}`, i % 3 ? null : 0.5, 'x']);
    const chunks: string[] = [];
    for await (const c of encodeRows(rows)) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
    const lines = chunks.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(40_000);
    expect(lines[3]).toBe('3\tid\\t3\t0.5\tx');
    expect(lines[4]).toBe('4\tid\\t4\t\\N\tx');
  });
});
