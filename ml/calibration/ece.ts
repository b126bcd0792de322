/**
 * Expected calibration error: Σ over 10 equal-width score bins of (rows in bin / rows) ×
 * |mean score − observed positive rate| (Guo et al. 2017). 0 = scores are the observed rates.
 */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  nBins = 10,
): number {
  const n = scores.length;
  if (n === 0) return 0;
  const cnt = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    const p = scores[i] as number;
    if (p !== p) continue;
    const b = Math.min(nBins - 1, Math.max(0, Math.floor(p * nBins)));
    cnt[b]! += 1;
    sumP[b]! += p;
    sumY[b]! += labels[i] === 1 ? 1 : 0;
  }
  let total = 0;
  let e = 0;
  for (let b = 0; b < nBins; b++) {
    total += cnt[b]!;
    if (cnt[b]! > 0) e += Math.abs(sumP[b]! - sumY[b]!);
  }
  return total > 0 ? e / total : 0;
}
