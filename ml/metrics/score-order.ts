/** Radix digits: 16 bits, so a 64-bit key takes four counting passes (fewer over keys that share digits). */
const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;
const SIGN = 0x80000000;

/**
 * Indices of the rows whose score is a number, ascending or descending by score, tied rows in row
 * order: what a stable comparator sort of those indices gives (-0 ties 0; rows with a NaN score are
 * left out). A least-significant-digit radix sort of each score's bits made order-preserving as
 * an unsigned integer: a few linear passes, where ranking a million rows by a comparator sort, or
 * by placing each row with a binary search over the distinct values, takes over a second of cache
 * misses. Stable passes from row order are what keep ties in row order.
 */
export function scoreOrder(scores: ArrayLike<number>, direction: 'ascending' | 'descending'): Uint32Array {
  const n = scores.length;
  const values = new Float64Array(n);
  let idx = new Uint32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i] as number;
    if (v !== v) continue;
    // -0 and 0 compare equal: one key.
    values[m] = v === 0 ? 0 : v;
    idx[m++] = i;
  }
  if (m < n) idx = idx.slice(0, m);
  // Little-endian words of each value: low at 2k, high at 2k + 1.
  const words = new Uint32Array(values.buffer, 0, 2 * m);
  let lo = new Uint32Array(m);
  let hi = new Uint32Array(m);
  // Negative numbers: every bit flipped (larger magnitude, smaller key); others: the sign bit set.
  // Descending: the whole key flipped once more.
  const flip = direction === 'descending' ? 0xffffffff : 0;
  for (let k = 0; k < m; k++) {
    const h = words[2 * k + 1]!;
    const neg = h >>> 31 ? 0xffffffff : 0;
    hi[k] = (h ^ (neg | SIGN) ^ flip) >>> 0;
    lo[k] = (words[2 * k]! ^ neg ^ flip) >>> 0;
  }
  let idx2 = new Uint32Array(m);
  let lo2 = new Uint32Array(m);
  let hi2 = new Uint32Array(m);
  const count = new Uint32Array(BUCKETS);
  const mask = BUCKETS - 1;
  for (let pass = 0; pass < 64 / DIGIT_BITS; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * DIGIT_BITS;
    count.fill(0);
    for (let k = 0; k < m; k++) count[(src[k]! >>> shift) & mask]! += 1;
    // Every key has this digit: the pass would not move a row.
    if (m === 0 || count[(src[0]! >>> shift) & mask] === m) continue;
    let at = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = count[b]!;
      count[b] = at;
      at += c;
    }
    for (let k = 0; k < m; k++) {
      const p = count[(src[k]! >>> shift) & mask]!++;
      idx2[p] = idx[k]!;
      lo2[p] = lo[k]!;
      hi2[p] = hi[k]!;
    }
    [idx, idx2] = [idx2, idx];
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  return idx;
}
