import { scoreOrder } from './score-order.ts';

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
 * descending score gives, at a fraction of its cost (a comparator sort of a million indices takes
 * over a second, and one evaluation ranks the rows several times): see score-order.ts.
 */
export function descendingOrder(scores: Scores): Uint32Array {
  const order = scoreOrder(scores, 'descending');
  if (order.length === scores.length) return order;
  // NaN has no place in a numeric order: the comparator sort, as before.
  const n = scores.length;
  return Uint32Array.from(
    Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
    ),
  );
}
