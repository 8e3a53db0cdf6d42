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
