/** Labels are 0/1; a row is predicted positive when score ≥ threshold. */
export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

export function checkLengths(labels: Labels, scores: Scores): number {
  if (labels.length !== scores.length)
    throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
  return labels.length;
}

/** Zero instead of NaN when a ratio is undefined (scikit-learn's zero_division=0). */
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/**
 * Row indices by score, highest first, tied rows in row order: what a stable sort of the indices by
 * descending score gives, at a fraction of its cost. A comparator sort of a million indices takes
 * over a second, and one evaluation ranks the rows several times (curves, AUCs, threshold,
 * deciles); here the scores sort natively, then each row lands in its distinct value's slot.
 */
export function descendingOrder(scores: Scores): Uint32Array {
  const n = scores.length;
  const sorted = Float64Array.from(scores).sort();
  // NaN (sorted last) has no place in a numeric order: the comparator sort, as before.
  if (n > 0 && Number.isNaN(sorted[n - 1]!))
    return Uint32Array.from(
      Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
      ),
    );
  // Distinct values ascending (-0 and 0 are one, as they tie under the comparator).
  const distinct = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (m === 0 || sorted[i] !== distinct[m - 1]) distinct[m++] = sorted[i]!;
  const slot = new Uint32Array(n);
  const count = new Uint32Array(m + 1);
  for (let i = 0; i < n; i++) {
    const v = scores[i] as number;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    // Highest value first: slot 0 is the largest distinct value.
    slot[i] = m - 1 - lo;
    count[m - 1 - lo]! += 1;
  }
  let at = 0;
  for (let k = 0; k < m; k++) {
    const c = count[k]!;
    count[k] = at;
    at += c;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[count[slot[i]!]!++] = i;
  return order;
}
