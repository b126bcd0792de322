import { createHash } from 'node:crypto';

/** A clean row as the labeled features step reads it (clean_rows). */
export interface Example {
  id: string;
  /** null: the outcome is not known yet (a row to score, never to learn from). */
  label: 0 | 1 | null;
  values: Record<string, number | boolean | string | null>;
}

/** Categorical codes in sorted order of the values, so the encoding is the same on every run. */
export interface Encoders {
  categories: Record<string, string[]>;
}

/** A column whose first non-null value is text is categorical: its codes are its values, sorted. */
export function buildEncoders(names: string[], examples: Example[]): Encoders {
  const categories: Record<string, string[]> = {};
  for (const name of names) {
    const sample = examples.find((e) => e.values[name] !== null)?.values[name];
    if (typeof sample !== 'string') continue;
    const set = new Set<string>();
    for (const e of examples) {
      const v = e.values[name];
      if (typeof v === 'string') set.add(v);
    }
    categories[name] = [...set].sort();
  }
  return { categories };
}

/** One row as the forest reads it: numbers as they are, booleans 0/1, categories as codes, missing as NaN. */
export function encode(names: string[], encoders: Encoders, ex: Pick<Example, 'values'>): Float64Array {
  const out = new Float64Array(names.length);
  names.forEach((name, j) => {
    const v = ex.values[name];
    const cats = encoders.categories[name];
    if (v === null || v === undefined) out[j] = NaN;
    else if (cats) out[j] = typeof v === 'string' ? cats.indexOf(v) : NaN;
    else if (typeof v === 'boolean') out[j] = v ? 1 : 0;
    else out[j] = typeof v === 'number' ? v : NaN;
  });
  return out;
}

/**
 * Stratified, seeded split: within each class, rows ordered by a hash of (seed, id); the first share
 * validate. Rows without a label take part in neither (null).
 */
export function splitRoles(
  examples: Pick<Example, 'id' | 'label'>[],
  validShare: number,
  seed: number,
): ('train' | 'valid' | null)[] {
  const roles: ('train' | 'valid' | null)[] = examples.map((e) => (e.label === null ? null : 'train'));
  for (const cls of [0, 1] as const) {
    const idx = examples.map((e, i) => (e.label === cls ? i : -1)).filter((i) => i >= 0);
    const keyed = idx.map((i) => ({
      i,
      k: createHash('sha256').update(`${seed}:${examples[i]!.id}`).digest('hex'),
    }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    const nValid = Math.round(keyed.length * validShare);
    for (let j = 0; j < nValid; j++) roles[keyed[j]!.i] = 'valid';
  }
  return roles;
}
