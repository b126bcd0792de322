/**
 * Greedy forward ensemble selection (Caruana et al. 2004), kept small against selection
 * optimism: equal weights, members drawn without replacement, at most `maxMembers`. It starts
 * from the best single candidate and adds the candidate whose equal-weight mean scores best,
 * only while that strictly improves the score. Returns member indices in the order added
 * (length 1 = no blend beats the best single candidate). `startScore`: the start's own figure
 * when the caller has it (else it is scored like any mix). `score` may be async (the pipeline
 * scores each mix on a metrics thread, so a worker's event loop keeps renewing its job lock).
 */
export async function selectBlend(
  probas: readonly Float64Array[],
  start: number,
  score: (mix: Float64Array) => number | null | Promise<number | null>,
  opts: { lowerIsBetter: boolean; maxMembers?: number; startScore?: number | null },
): Promise<number[]> {
  const maxMembers = Math.min(opts.maxMembers ?? 3, probas.length);
  const better = (a: number, b: number): boolean => (opts.lowerIsBetter ? a < b - 1e-12 : a > b + 1e-12);
  const chosen = [start];
  let current = opts.startScore !== undefined ? opts.startScore : await score(equalMean(probas, chosen));
  if (current === null || !Number.isFinite(current)) return chosen;
  while (chosen.length < maxMembers) {
    let bestIdx = -1;
    let bestScore: number = current;
    for (let i = 0; i < probas.length; i++) {
      if (chosen.includes(i)) continue;
      const s = await score(equalMean(probas, [...chosen, i]));
      if (s !== null && Number.isFinite(s) && better(s, bestScore)) {
        bestIdx = i;
        bestScore = s;
      }
    }
    if (bestIdx < 0) break;
    chosen.push(bestIdx);
    current = bestScore;
  }
  return chosen;
}

/** The equal-weight mean of the chosen rows' probabilities. */
export function equalMean(probas: readonly Float64Array[], members: readonly number[]): Float64Array {
  const out = new Float64Array(probas[members[0]!]!.length);
  for (const m of members) {
    const p = probas[m]!;
    for (let i = 0; i < out.length; i++) out[i]! += p[i]! / members.length;
  }
  return out;
}
