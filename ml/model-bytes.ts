/**
 * A model's stored bytes. Engines that can describe themselves as a small JSON header plus typed
 * arrays (ModelParts) are written as MAGIC, header length, header, then each array's raw bytes:
 * no giant string is ever built or parsed, so encoding a forest of millions of nodes is a few
 * memory copies, not seconds of JSON on the caller's thread. Other engines store serialize()'s
 * JSON text, and bytes written before this format (JSON) still load.
 */
export type PartArray = Int32Array | Uint8Array | Float32Array | Float64Array;

export interface ModelParts {
  /** Small, JSON-able: names, params, shapes. Never the model's bulk. */
  header: Record<string, unknown>;
  arrays: PartArray[];
}

const MAGIC = Buffer.from('CPDMODEL1\n', 'latin1');
const KINDS = { i32: Int32Array, u8: Uint8Array, f32: Float32Array, f64: Float64Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: PartArray): Kind {
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Float32Array) return 'f32';
  return 'f64';
}

/** The parts as a list of buffers to write one after the other (views on the arrays, no copies). */
export function encodeParts(parts: ModelParts): Buffer[] {
  const layout = parts.arrays.map((a) => ({ kind: kindOf(a), length: a.length }));
  const header = Buffer.from(JSON.stringify({ ...parts.header, arrays: layout }), 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  // Arrays are little-endian on every platform Node supports in practice; the header says which kind.
  return [MAGIC, size, header, ...parts.arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
}

export function isPartsEncoding(bytes: Buffer): boolean {
  return bytes.length >= MAGIC.length && bytes.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Reads encodeParts' output back; each array gets its own aligned buffer (a copy of its bytes). */
export function decodeParts(bytes: Buffer): ModelParts {
  if (!isPartsEncoding(bytes)) throw new Error('not a binary model (magic bytes missing)');
  let at = MAGIC.length;
  if (bytes.length < at + 4) throw new Error('binary model is truncated (no header length)');
  const headerLength = bytes.readUInt32LE(at);
  at += 4;
  if (bytes.length < at + headerLength) throw new Error('binary model is truncated (header)');
  const header = JSON.parse(bytes.toString('utf8', at, at + headerLength)) as Record<string, unknown> & {
    arrays?: { kind: Kind; length: number }[];
  };
  at += headerLength;
  const { arrays: layout, ...rest } = header;
  if (!Array.isArray(layout)) throw new Error('binary model header lists no arrays');
  const arrays = layout.map(({ kind, length }, i) => {
    const Make = KINDS[kind];
    if (!Make || !(Number.isInteger(length) && length >= 0))
      throw new Error(`binary model array ${i} has a bad descriptor`);
    const byteLength = length * Make.BYTES_PER_ELEMENT;
    if (bytes.length < at + byteLength) throw new Error(`binary model is truncated (array ${i})`);
    const out = new Make(length);
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + byteLength));
    at += byteLength;
    return out;
  });
  if (at !== bytes.length) throw new Error(`binary model has ${bytes.length - at} trailing bytes`);
  return { header: rest, arrays };
}
