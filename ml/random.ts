/**
 * Small seeded PRNG (mulberry32) so every tree is reproducible from (seed, stream) alone,
 * whatever thread trains it. Not cryptographic; fast and good enough for bagging and draws.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** splitmix32-style finaliser: spreads (seed, stream) so neighbouring trees get unrelated states. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** A class, not closures: one call target for every tree, so V8's optimised code is reused. */
class Mulberry32 implements Rng {
  private state: number;

  constructor(state: number) {
    this.state = state | 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function createRng(seed: number, stream = 0): Rng {
  return new Mulberry32(mix(mix(seed >>> 0) ^ Math.imul(stream + 1, 0x9e3779b9)));
}
