import { describe, expect, it } from 'vitest';
import { decodeParts, encodeParts, isPartsEncoding } from './model-bytes.ts';

describe('model bytes', () => {
  const parts = {
    header: { engine: 'hist', names: ['a', 'b'] },
    arrays: [Int32Array.of(1, -2, 3), Uint8Array.of(7), Float32Array.of(0.5), Float64Array.of(Math.PI, NaN)],
  };

  it('round-trips a header and typed arrays of every kind exactly', () => {
    const bytes = Buffer.concat(encodeParts(parts));
    expect(isPartsEncoding(bytes)).toBe(true);
    const back = decodeParts(bytes);
    expect(back.header).toEqual(parts.header);
    expect(back.arrays.map((a) => a.constructor.name)).toEqual([
      'Int32Array',
      'Uint8Array',
      'Float32Array',
      'Float64Array',
    ]);
    expect(Array.from(back.arrays[0]!)).toEqual([1, -2, 3]);
    expect(back.arrays[3]![0]).toBe(Math.PI);
    expect(back.arrays[3]![1]).toBeNaN();
  });

  it('refuses truncated or padded bytes', () => {
    const bytes = Buffer.concat(encodeParts(parts));
    expect(() => decodeParts(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeParts(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/trailing/);
    expect(isPartsEncoding(Buffer.from('{"engine":"hist"}'))).toBe(false);
  });
});
