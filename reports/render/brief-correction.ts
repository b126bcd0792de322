import { formatNumber as f } from './number-format.ts';

/** What a brief told people about the published scores (brief_scores): enough to say what changed. */
export interface ScoresDigest {
  checksum: string;
  customers: number;
  /** The highest-scored customer ids, best first. */
  topIds: string[];
}

/** A rerun whose published scores differ from the ones an earlier brief reported. */
export interface BriefCorrection {
  /** The generation whose brief this one corrects. */
  previousGeneration: number;
  /** What changed, in one sentence a stakeholder can act on. */
  line: string;
}

/** How many ids of the top list the two digests compare (the brief's action list is shorter). */
export const DIGEST_TOP = 100;

/** Null when the scores are the same (same checksum): nothing to correct, no second mail. */
export function describeCorrection(
  before: ScoresDigest,
  now: ScoresDigest,
  previousGeneration: number,
): BriefCorrection | null {
  if (before.checksum === now.checksum) return null;
  const customers =
    before.customers === now.customers
      ? `${f.int(now.customers)} customers scored, as before`
      : `${f.int(now.customers)} customers scored (was ${f.int(before.customers)})`;
  const top = Math.min(DIGEST_TOP, now.topIds.length);
  const earlier = new Set(before.topIds.slice(0, top));
  const entered = now.topIds.slice(0, top).filter((id) => !earlier.has(id)).length;
  const list =
    top === 0
      ? 'no customer is on the list'
      : entered === 0
        ? `the top ${f.int(top)} are the same customers, some scores moved`
        : `${f.int(entered)} of the top ${f.int(top)} customers are new on the list`;
  return {
    previousGeneration,
    line: `The scores were recomputed after the earlier brief and changed: ${customers}; ${list}. Use this brief and its list instead of the earlier one.`,
  };
}
