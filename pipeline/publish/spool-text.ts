import { ReasonWriter, type ReasonWriterState } from '../../reports/reason-sentences.ts';

/**
 * Rows of one scored slice as the spool's text takes them: typed arrays that can be handed to a
 * thread without a copy, and nothing else the text needs.
 */
export interface TextSlice {
  /** The slice's first line number in the spool (its seq column). */
  seq0: number;
  ids: string[];
  /** The published score of each row (a known outcome's or the model's), NaN = none. */
  scores: Float64Array;
  /** 1: the row's outcome is known; its score is out-of-fold and it gets no reasons. */
  known: Uint8Array | null;
  /** Row r's i-th reason at r*k + i (feature −1 = none), and the feature's value for that row. */
  top: { k: number; features: Int32Array; contributions: Float64Array; values: Float64Array } | null;
  /** The customer-value figures (VALUE_COLUMNS order, NaN = none), or null where the mode has none. */
  value: Float64Array[] | null;
  /** How many value columns a line carries (\N each when `value` is null). */
  valueColumns: number;
}

/** TSV escape for LOAD DATA's default format (JSON escapes hold backslashes). */
function tsv(s: string): string {
  return /[\\\t\n\r\0]/.test(s) ? s.replace(/[\\\t\n\r\0]/g, (c) => TSV_ESCAPES[c]!) : s;
}
const TSV_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};

/** Characters of text built as one string before it is written out as bytes. */
const TEXT_FLUSH = 16_384;

/** How reasons are worded: with a writer's state (value, rank, sentence), or the machine form alone. */
export type ReasonWording =
  { kind: 'words'; state: ReasonWriterState } | { kind: 'machine'; names: string[] };

/**
 * Writes scored rows as spool lines, `seq \t score \t reasons-json \t known \t id` and the value
 * figures, TSV-escaped, \N = null: what LOAD DATA reads as it is. The same object runs on the main
 * thread for small nights and on the text threads for large ones, so both write the same bytes.
 */
export class SpoolText {
  private readonly writer: ReasonWriter | null;
  private readonly heads: string[];
  /** Bytes per line of the last slice: the next slice's buffer is sized by it, not grown by doubling. */
  private lineBytes = 256;

  constructor(wording: ReasonWording) {
    this.writer = wording.kind === 'words' ? ReasonWriter.from(wording.state, tsv) : null;
    this.heads =
      wording.kind === 'machine'
        ? wording.names.map((n) => tsv(`{"feature":${JSON.stringify(n)},"contribution":`))
        : [];
  }

  lines(s: TextSlice): Buffer {
    const n = s.scores.length;
    const top = s.top;
    let out = Buffer.allocUnsafe(Math.max(1 << 16, Math.ceil(n * this.lineBytes * 1.05)));
    let at = 0;
    let text = '';
    const flush = (): void => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (at + text.length * 3 > out.length) {
        const grown = Buffer.allocUnsafe(Math.max(Math.ceil(out.length * 1.25), at + text.length * 3));
        out.copy(grown, 0, 0, at);
        out = grown;
      }
      at += out.write(text, at, 'utf8');
      text = '';
    };
    for (let r = 0; r < n; r++) {
      const score = s.scores[r]!;
      const known = s.known?.[r] === 1;
      let reasons = '\\N';
      if (top && !known) {
        // Built by hand from the flat arrays: a million customers × 3 reasons as objects would dominate the step.
        reasons = '[';
        for (let i = 0; i < top.k; i++) {
          const f = top.features[r * top.k + i]!;
          if (f < 0) break;
          const c = top.contributions[r * top.k + i]!;
          reasons += `${i ? ',' : ''}${this.writer ? this.writer.json(f, c, top.values[r * top.k + i]!) : `${this.heads[f]}${c}}`}`;
        }
        reasons += ']';
      }
      let value = '';
      for (let j = 0; j < s.valueColumns; j++) {
        const v = s.value?.[j]![r] ?? NaN;
        value += Number.isFinite(v) ? `\t${v}` : '\t\\N';
      }
      text += `${s.seq0 + r}\t${Number.isFinite(score) ? score : '\\N'}\t${reasons}\t${known ? 1 : 0}\t${tsv(s.ids[r]!)}${value}\n`;
      // Short strings: a rope of thousands of lines cost more to flatten than the lines took to build.
      if (text.length > TEXT_FLUSH) flush();
    }
    flush();
    if (n > 0) this.lineBytes = at / n;
    return out.subarray(0, at);
  }
}
