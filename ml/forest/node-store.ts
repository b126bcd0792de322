/**
 * A grown tree in flat arrays. Children are allocated in pairs, so right = left + 1 and only
 * `left` is stored; a leaf has feature −1. `splitBin` t sends value bins 1..t left; missing
 * (bin 0) goes left iff missingLeft. `value` is the weighted positive fraction of every node
 * (internal nodes too: path contributions need them), `gain` the weighted gini decrease.
 */
export interface GrownTree {
  feature: Int32Array;
  splitBin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  value: Float64Array;
  gain: Float64Array;
}

/** Growable typed arrays for a tree being grown (typed from the start: no element-kind changes). */
export class NodeStore {
  feature: Int32Array;
  splitBin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  value: Float64Array;
  gain: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.feature = new Int32Array(capacity);
    this.splitBin = new Int32Array(capacity);
    this.missingLeft = new Uint8Array(capacity);
    this.left = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.gain = new Float64Array(capacity);
  }

  /** Appends n leaves; returns the index of the first. */
  add(n: number): number {
    const at = this.size;
    if (at + n > this.feature.length) this.grow(Math.max(2 * this.feature.length, at + n));
    this.feature.fill(-1, at, at + n);
    this.left.fill(-1, at, at + n);
    this.size += n;
    return at;
  }

  setSplit(
    node: number,
    feature: number,
    splitBin: number,
    missingLeft: number,
    left: number,
    gain: number,
  ): void {
    this.feature[node] = feature;
    this.splitBin[node] = splitBin;
    this.missingLeft[node] = missingLeft;
    this.left[node] = left;
    this.gain[node] = gain;
  }

  finish(): GrownTree {
    const n = this.size;
    return {
      feature: this.feature.slice(0, n),
      splitBin: this.splitBin.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      left: this.left.slice(0, n),
      value: this.value.slice(0, n),
      gain: this.gain.slice(0, n),
    };
  }

  private grow(capacity: number): void {
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.feature = grow(this.feature, (n) => new Int32Array(n));
    this.splitBin = grow(this.splitBin, (n) => new Int32Array(n));
    this.missingLeft = grow(this.missingLeft, (n) => new Uint8Array(n));
    this.left = grow(this.left, (n) => new Int32Array(n));
    this.value = grow(this.value, (n) => new Float64Array(n));
    this.gain = grow(this.gain, (n) => new Float64Array(n));
  }
}
