import { afterAll, describe, expect, it } from 'vitest';
import { ReasonWriter } from '../../reports/reason-sentences.ts';
import { type ReasonWording, SpoolText, type TextSlice } from './spool-text.ts';
import { inlineText, threadedText } from './spool-text-pool.ts';

const features = {
  names: ['recency_days', 'monetary', 'country', 'odd\tname'],
  categorical: [false, false, true, false],
  // Category values that need JSON and TSV escapes both.
  categories: { country: ['France', 'Tab\there', 'back\\slash "quoted"', 'new\nline'] },
  glossary: { 'odd\tname': { label: 'odd "label" \\ with\ttab', lowerIsBetter: false, structural: false } },
};
const reference = [
  Float64Array.from({ length: 500 }, (_, i) => i % 365),
  Float64Array.from({ length: 500 }, (_, i) => i * 3.37),
  new Float64Array(500),
  Float64Array.from({ length: 500 }, (_, i) => (i % 7) - 3),
];

/** A deterministic slice with every case: known outcomes, missing scores, fewer reasons, odd ids. */
function slice(seq0: number, m: number): TextSlice {
  const k = 3;
  const features = new Int32Array(m * k);
  const contributions = new Float64Array(m * k);
  const values = new Float64Array(m * k);
  for (let r = 0; r < m; r++)
    for (let i = 0; i < k; i++) {
      const at = r * k + i;
      // Row 5 of every 9 has one reason only; feature indexes cycle over all four.
      features[at] = r % 9 === 5 && i > 0 ? -1 : (r + i) % 4;
      contributions[at] = ((r * 7 + i) % 13) / 97 - 0.06;
      values[at] = features[at] === 2 ? r % 4 : r % 11 === 0 ? NaN : (r * 1.7 + i) % 400;
    }
  return {
    seq0,
    ids: Array.from({ length: m }, (_, r) => (r % 10 === 3 ? `c\t${seq0 + r}\\x` : `c-${seq0 + r}`)),
    scores: Float64Array.from({ length: m }, (_, r) => (r % 17 === 4 ? NaN : ((r * 31) % 1000) / 1000)),
    known: Uint8Array.from({ length: m }, (_, r) => (r % 12 === 7 ? 1 : 0)),
    top: { k, features, contributions, values },
    value: Array.from({ length: 6 }, (_, j) =>
      Float64Array.from({ length: m }, (_, r) => (r % 5 === j ? NaN : r * 0.1 + j)),
    ),
    valueColumns: 6,
  };
}

/** Copies, since a threaded writer takes the slice's arrays (they are transferred). */
const copy = (s: TextSlice): TextSlice => structuredClone(s);

const unescape = (s: string): string =>
  s.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0' })[c] ?? c);

describe('SpoolText', () => {
  const writer = new ReasonWriter(features);
  writer.observe(reference);
  const wording: ReasonWording = { kind: 'words', state: writer.state() };

  it("writes each line's fields, TSV-escaped, with reasons whose JSON is the writer's", () => {
    const s = slice(40, 200);
    const text = new SpoolText(wording).lines(copy(s)).toString('utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(200);
    const plain = ReasonWriter.from(writer.state());
    lines.forEach((line, r) => {
      const cells = line.split('\t');
      expect(cells).toHaveLength(11);
      const [seq, score, reasons, known, id, ...value] = cells;
      expect(Number(seq)).toBe(40 + r);
      expect(score).toBe(Number.isFinite(s.scores[r]!) ? String(s.scores[r]) : '\\N');
      expect(known).toBe(String(s.known![r]));
      expect(unescape(id!)).toBe(s.ids[r]);
      expect(value).toEqual(s.value!.map((c) => (Number.isFinite(c[r]!) ? String(c[r]) : '\\N')));
      if (s.known![r] === 1) return expect(reasons).toBe('\\N');
      const want: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const f = s.top!.features[r * 3 + i]!;
        if (f >= 0)
          want.push(JSON.parse(plain.json(f, s.top!.contributions[r * 3 + i]!, s.top!.values[r * 3 + i]!)));
      }
      expect(JSON.parse(unescape(reasons!))).toEqual(want);
    });
  });

  it('writes the machine form alone without a writer', () => {
    const s = slice(0, 30);
    const text = new SpoolText({ kind: 'machine', names: features.names }).lines(copy(s)).toString('utf8');
    const reasons = JSON.parse(unescape(text.split('\n')[0]!.split('\t')[2]!)) as unknown[];
    expect(reasons).toEqual([
      { feature: 'recency_days', contribution: s.top!.contributions[0] },
      { feature: 'monetary', contribution: s.top!.contributions[1] },
      { feature: 'country', contribution: s.top!.contributions[2] },
    ]);
  });

  const threaded = threadedText(wording, 2);
  afterAll(() => threaded.close());

  it('writes the same bytes on threads as inline, slices in the order asked', async () => {
    const inline = inlineText(wording);
    const slices = [slice(0, 1000), slice(1000, 1), slice(1001, 2500), slice(3501, 999), slice(4500, 10)];
    const want = await Promise.all(slices.map((s) => inline.lines(copy(s))));
    const got = await Promise.all(slices.map((s) => threaded.lines(copy(s))));
    expect(Buffer.concat(got).equals(Buffer.concat(want))).toBe(true);
    expect(got.map((b) => b.length)).toEqual(want.map((b) => b.length));
  });
});
