import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spoolPieces } from './spool-scores.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cpd-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(pieces: AsyncGenerator<Buffer>): Promise<{ text: string; wholeLines: boolean }> {
  const all: Buffer[] = [];
  let wholeLines = true;
  for await (const p of pieces) {
    all.push(p);
    if (p[p.length - 1] !== 10) wholeLines = false;
  }
  return { text: Buffer.concat(all).toString('utf8'), wholeLines };
}

describe('spoolPieces', () => {
  // ~3.4 MB over several 1 MiB reads: lines (with multi-byte characters) cross every read boundary.
  const lines = Array.from(
    { length: 20_000 },
    (_, i) => `${i}\t0.${i}\t[{"sentence":"spent £${i} — ${'x'.repeat(i % 300)}"}]\t0\tc-${i}\t\\N`,
  );
  const file = path.join(dir, 'scores.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('yields the file as it is, in pieces of whole lines', async () => {
    const got = await collect(spoolPieces(file));
    expect(got.wholeLines).toBe(true);
    expect(got.text).toBe(`${lines.join('\n')}\n`);
  });

  it("puts each line's insert right after its score, line by line", async () => {
    const seen: number[] = [];
    const got = await collect(
      spoolPieces(file, (i) => {
        seen.push(i);
        return Buffer.from(`\t${(i % 10) + 1}\tlow`);
      }),
    );
    expect(got.wholeLines).toBe(true);
    const expected = lines.map((l, i) => {
      const cut = l.indexOf('\t', l.indexOf('\t') + 1);
      return `${l.slice(0, cut)}\t${(i % 10) + 1}\tlow${l.slice(cut)}`;
    });
    expect(got.text).toBe(`${expected.join('\n')}\n`);
    expect(seen).toEqual(lines.map((_, i) => i));
  });

  it('reads the lines between two places only, numbering them from the first', async () => {
    const at = (line: number) => ({
      line,
      byte: Buffer.byteLength(
        lines
          .slice(0, line)
          .map((l) => `${l}\n`)
          .join(''),
      ),
    });
    const seen: number[] = [];
    const middle = await collect(
      spoolPieces(
        file,
        (i) => {
          seen.push(i);
          return Buffer.alloc(0);
        },
        at(7_001),
        at(13_500),
      ),
    );
    expect(middle.wholeLines).toBe(true);
    expect(middle.text).toBe(`${lines.slice(7_001, 13_500).join('\n')}\n`);
    expect(seen).toEqual(lines.slice(7_001, 13_500).map((_, i) => 7_001 + i));
    const tail = await collect(spoolPieces(file, undefined, at(19_999)));
    expect(tail.text).toBe(`${lines[19_999]}\n`);
    expect((await collect(spoolPieces(file, undefined, at(5), at(5)))).text).toBe('');
  });
});
