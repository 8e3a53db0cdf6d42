// Float32 heatmaps ⇄ the little-endian bytes of Heatmap.raw, bit for bit, whatever the offsets of the views involved.
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function float32ToBytes(values: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(values.length * 4);
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  }
  return out;
}

/** Decodes `bytes` (any view, any alignment); null when the length is not `count` floats. */
export function bytesToFloat32(bytes: Uint8Array, count: number): Float32Array<ArrayBuffer> | null {
  if (bytes.byteLength !== count * 4) return null;
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** `bytes` itself when it spans its whole buffer, else an exact copy (so `.buffer` is safe to hand on). */
export function exactBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return new Uint8Array(bytes);
}

// Pixel attributions ([C, H, W] signed, 3 × 224 × 224 = 600 KB as float32) are stored as float16 of
// value / scale, scale = max |value| (a "block float" with one block per map): 2 bytes a value, the
// largest value exactly ±1 before rounding, so nothing overflows (float16 stops at 65504) and small
// gradients do not sink into float16's subnormals (below 6.1e-5) unless they are below 2^-14 of the
// map's largest. Round to nearest even, so a decoded value v̂ of v satisfies
//   |v̂ − v| ≤ min(2^-11·|v|, 2^-12·scale) + 2^-25·scale   (plus float32 rounding of v / scale and of
//   v̂ = h · scale: 2^-23·|v|),
// i.e. at most 2^-12 ≈ 2.4e-4 of the map's largest value anywhere (|v / scale| ≤ 1, where half a
// float16 step is ≤ 2^-12), and 11 significant bits for every value within 2^14 of the largest.

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float16 bits of a number (rounded to float32 first), round to nearest even; overflow → ±Infinity. */
export function toHalfBits(v: number): number {
  F32[0] = v;
  const x = U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // a float16 subnormal: m · 2^-24
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    if (rem > half || (rem === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is right, up to Infinity
  return h;
}

/** The value of float16 bits. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

let halfTable: Float32Array | undefined;
const HALF_VALUES = () => (halfTable ??= Float32Array.from({ length: 65536 }, (_, h) => fromHalfBits(h)));

/** A map encoded as scaled float16: little-endian bits of value / scale, and the scale (max |value|, a float32). */
export interface ScaledHalf {
  bytes: Uint8Array<ArrayBuffer>;
  scale: number;
}

/** Bytes per value of the scaled float16 encoding. */
export const SCALED_HALF_BYTES = 2;

export function encodeScaledHalf(values: Float32Array): ScaledHalf {
  let scale = 0;
  for (const v of values) {
    const a = Math.abs(v);
    if (a > scale) scale = a;
  }
  if (!Number.isFinite(scale)) throw new RangeError('a map with an infinite value cannot be stored as scaled float16');
  const bytes = new Uint8Array(values.length * SCALED_HALF_BYTES);
  if (scale > 0) {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setUint16(i * 2, toHalfBits(values[i] / scale), true);
  }
  return { bytes, scale };
}

/** Decodes `count` values (any view, any alignment); null when the length does not match. */
export function decodeScaledHalf(bytes: Uint8Array, count: number, scale: number): Float32Array<ArrayBuffer> | null {
  if (bytes.byteLength !== count * SCALED_HALF_BYTES) return null;
  const table = HALF_VALUES();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, true)] * scale;
  return out;
}

/** What storing `values` as scaled float16 and reading them back gives (encoding it again gives the same bytes). */
export function quantizeScaledHalf(values: Float32Array): Float32Array<ArrayBuffer> {
  const { bytes, scale } = encodeScaledHalf(values);
  return decodeScaledHalf(bytes, values.length, scale)!;
}
