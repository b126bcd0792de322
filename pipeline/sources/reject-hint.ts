/** Rejects counted by `column: reason` (as stageFile keeps them) -> the likely cause, or ''. */
export function rejectHint(byReason: Map<string, number>, delimiter: string): string {
  const total = [...byReason.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return '';
  let cellRejects = 0;
  let expected = 0;
  let min = Infinity;
  let max = -Infinity;
  let dates = 0;
  for (const [key, n] of byReason) {
    const m = /^\(row\): expected (\d+) cells, found (\d+)$/.exec(key);
    if (m) {
      cellRejects += n;
      expected = Number(m[1]);
      min = Math.min(min, Number(m[2]));
      max = Math.max(max, Number(m[2]));
    } else if (/: not a date in format /.test(key)) dates += n;
  }
  if (cellRejects * 2 >= total) {
    const found = min === max ? `${min}` : `${min}-${max}`;
    const lines = `lines have ${found} cells where ${expected} are expected`;
    if (min === 1 && max === 1)
      return `every line is one cell: is the separator another character? set parse.delimiter (e.g. ";", "\\t" or "whitespace")`;
    if (delimiter !== 'whitespace' && (min !== max || delimiter.trim() === ''))
      return `${lines}: is the separator whitespace? try parse.delimiter: "whitespace" (or parse.fixedWidths for fixed columns)`;
    return `${lines}: check parse.delimiter and parse.quote, and the header or parse.columns`;
  }
  if (dates * 2 >= total)
    return 'the dates are written in another format: declare it (columns.timestampFormat, or parse.dateFormats / the contract column format)';
  return '';
}
