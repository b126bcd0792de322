import type { ParseOptions } from '../../config/pipeline.ts';

/** Splits one line (no line break) into cells. */
export type LineSplitter = (line: string) => string[];

const BLANKS = /[ \t]+/;

/**
 * The splitter for parse options that are not plain delimited text, or undefined for plain CSV/TSV
 * (which keeps the scanner's quote-aware fast path untouched):
 *  - `delimiter: "whitespace"`: runs of spaces/tabs separate cells, blanks at both ends ignored;
 *  - `fixedWidths`: cells cut at the given widths and trimmed; text past the last column becomes
 *    one more cell, so the row is rejected as having too many cells rather than silently cut.
 */
export function lineSplitter(
  parse: Pick<ParseOptions, 'delimiter' | 'fixedWidths'>,
): LineSplitter | undefined {
  const widths = parse.fixedWidths;
  if (widths) {
    const total = widths.reduce((a, b) => a + b, 0);
    return (line) => {
      const cells: string[] = [];
      let at = 0;
      for (const w of widths) {
        cells.push(line.slice(at, at + w).trim());
        at += w;
      }
      const rest = line.slice(total).trim();
      if (rest.length > 0) cells.push(rest);
      return cells;
    };
  }
  if (parse.delimiter === 'whitespace') {
    return (line) => {
      const t = line.trim();
      return t.length === 0 ? [''] : t.split(BLANKS);
    };
  }
  return undefined;
}

/** How a rejected record's cells are written back as raw text for `rejected_rows.raw`. */
export function joinCells(parse: Pick<ParseOptions, 'delimiter' | 'fixedWidths'>, cells: string[]): string {
  return parse.fixedWidths || parse.delimiter === 'whitespace'
    ? cells.join(' ')
    : cells.join(parse.delimiter);
}
