import { Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { encodeRows, escapeCell, textPieces, tsvLine } from './load-infile.ts';

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

  it('textPieces: every row in order, the source paused while pieces wait, a throw fails the stream', async () => {
    let pulled = 0;
    const source = new Readable({
      objectMode: true,
      highWaterMark: 16,
      read() {
        pulled++;
        this.push(pulled <= 200_000 ? [pulled, `c${pulled}`.padEnd(200, '.')] : null);
      },
    });
    const out = textPieces<[number, string]>(
      [source],
      (row) => (row[0] % 2 ? tsvLine(row) : ''),
      () => 'end\n',
    );
    let text = '';
    for await (const piece of out) {
      // A slow reader: the source (40 MB of text in all) must not run ahead by more than a few
      // pieces (~1 MiB, ~10 k rows).
      if (text === '') {
        await setTimeout(50);
        expect(pulled).toBeLessThan(20_000);
      }
      text += piece as string;
    }
    const lines = text.split('\n');
    expect(lines).toHaveLength(100_002);
    expect(lines[0]).toBe(`1\t${'c1'.padEnd(200, '.')}`);
    expect(lines[99_999]).toBe(`199999\t${'c199999'.padEnd(200, '.')}`);
    expect(lines[100_000]).toBe('end');

    const failing = Readable.from(
      (function* () {
        for (let i = 0; i < 100_000; i++) yield i;
      })(),
    );
    const broken = textPieces<number>(
      [failing],
      (i) => {
        if (i === 50_000) throw new RangeError('row 50000: amount out of range');
        return `${i}\n`;
      },
      () => '',
    );
    await expect(
      (async () => {
        for await (const _ of broken);
      })(),
    ).rejects.toThrow('row 50000: amount out of range');
    expect(failing.destroyed).toBe(true);
  });
});
