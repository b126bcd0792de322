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
