/** Levenshtein distance with adjacent transpositions counted as one edit (`shedule`, `shcedule`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `input` (case-insensitive), if it is close enough to be a typo:
 * at most a third of the longer name's letters differ (2 for short names). Ties: the first listed.
 */
export function didYouMean(input: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(input.toLowerCase(), name.toLowerCase());
    const allowed = Math.max(2, Math.floor(Math.max(input.length, name.length) / 3));
    if (distance <= allowed && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or nothing: for the end of an error line. */
export function didYouMeanHint(input: string, known: Iterable<string>): string {
  const match = didYouMean(input, known);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
