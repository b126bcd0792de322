/**
 * Fold of a row from (seed, id) alone: FNV-1a over the id, mixed with the seed. It never looks at
 * the label (a stratified assignment would move a row to another fold when its label flips, and
 * with it the model that scores it), nor at the other rows (adding a row moves nobody else).
 */
export function hashFold(id: string, seed: number, k: number): number {
  let h = 0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return ((h ^ (h >>> 15)) >>> 0) % k;
}

/** Every row's fold, in row order. */
export function hashFolds(ids: readonly string[], seed: number, k: number): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 255)
    throw new RangeError(`k must be an integer in 2..255, got ${k}`);
  return Uint8Array.from(ids, (id) => hashFold(id, seed, k));
}

/** hashFolds with a yield to the event loop every 64k ids: a million ids are a worker's main thread for ~0.1 s of CPU. */
export async function hashFoldsAsync(ids: readonly string[], seed: number, k: number): Promise<Uint8Array> {
  if (!Number.isInteger(k) || k < 2 || k > 255)
    throw new RangeError(`k must be an integer in 2..255, got ${k}`);
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    out[i] = hashFold(ids[i]!, seed, k);
    if ((i & 0xffff) === 0xffff) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
