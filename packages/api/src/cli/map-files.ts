// Maps as compact files, for report.json to reference instead of holding them as JSON floats:
// * the final map (values in [0, 1]) as a 16-bit grey PNG, sample = round(65535 · value): what
//   `score` reads (16 bits kept: value = sample / 65535, on score's 8-bit scale sample / 257), at most
//   1/131070 from the float;
// * the raw map (CAM: relu(cam) at the layer; pixel attribution: signed [C, H, W]) as a float32 .npy
//   file (NumPy format 1.0, little-endian, C order): exact, and `numpy.load` reads it.
import type { FloatMap } from '@saliency-explainer/core';
import { PNG_FILTER_SUB, PNG_GRAY, pngFromFilteredRows } from '../io/png-encode.js';

/** 16-bit PNG samples per unit of the map. */
export const MAP_PNG_MAX = 65535;

/**
 * zlib level of the map PNGs. On 800 × 600 Grad-CAM maps (Sub-filtered): level 2 ~190 kB in a few ms;
 * level 6 ~160 kB at ~3× the time; libpng's adaptive filters at level 6 (before) ~340 kB, slower still.
 */
export const MAP_PNG_LEVEL = 2;

/**
 * The samples of a map with values in [0, 1] (clamped), round(65535 · value), as PNG rows with the
 * Sub filter: each row's filter byte, then per sample its big-endian bytes minus the previous
 * sample's (mod 256) — one pass, no copy.
 */
export function mapRowsSub16(map: FloatMap): Uint8Array {
  const { width, height, values } = map;
  const out = new Uint8Array(height * (1 + 2 * width));
  let o = 0;
  let i = 0;
  for (let y = 0; y < height; y++) {
    out[o++] = PNG_FILTER_SUB;
    let previous = 0;
    for (let x = 0; x < width; x++, i++) {
      const v = values[i];
      // round(65535 · v) as floor(65535 · v + 0.5): v is a float32, so the product and the sum are exact
      const s = v > 0 ? (v < 1 ? (MAP_PNG_MAX * v + 0.5) | 0 : MAP_PNG_MAX) : 0;
      out[o] = (s >>> 8) - (previous >>> 8);
      out[o + 1] = s - previous;
      o += 2;
      previous = s;
    }
  }
  return out;
}

/** A map with values in [0, 1] as 16-bit grey PNG bytes (values outside are clamped; NaN is 0). */
export function mapPng16(map: FloatMap): Promise<Buffer> {
  return pngFromFilteredRows({ width: map.width, height: map.height, bitDepth: 16, colorType: PNG_GRAY }, mapRowsSub16(map), MAP_PNG_LEVEL);
}

/** float32 values of `shape` (C order) as .npy bytes. */
export function npyFloat32(values: Float32Array, shape: number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== values.length) throw new RangeError(`${values.length} values do not fill the shape [${shape.join(', ')}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 4 * n);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < n; i++) body.setFloat32(4 * i, values[i], true);
  return out;
}

export class NpyFormatError extends Error {}

/** A 2-D float32/float64 .npy file (C order) as a map; a 3-D [C, H, W] one is summed over |C| as pixel maps are. */
export function readNpyMap(bytes: Uint8Array): FloatMap {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new NpyFormatError('not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([<>|=]?)(f4|f8)'/.exec(header);
  if (!descr || descr[1] === '>') throw new NpyFormatError(`only little-endian float32 / float64 arrays are read, not ${/'descr':\s*'([^']*)'/.exec(header)?.[1] ?? '?'}`);
  if (/'fortran_order':\s*True/.test(header)) throw new NpyFormatError('a Fortran-order array: save it in C order');
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!(shape.length === 2 || shape.length === 3) || shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new NpyFormatError(`shape (${shape.join(', ')}): expected (height, width) or (channels, height, width)`);
  }
  const size = descr[2] === 'f4' ? 4 : 8;
  const n = shape.reduce((a, b) => a * b, 1);
  const body = start + headerLength;
  if (bytes.length !== body + size * n) throw new NpyFormatError(`${bytes.length - body} data bytes for shape (${shape.join(', ')}), not ${size * n}`);
  const read = (i: number) => (size === 4 ? view.getFloat32(body + 4 * i, true) : view.getFloat64(body + 8 * i, true));
  const [height, width] = shape.slice(-2);
  const values = new Float32Array(width * height);
  if (shape.length === 2) for (let i = 0; i < values.length; i++) values[i] = read(i);
  else for (let c = 0; c < shape[0]; c++) for (let i = 0; i < values.length; i++) values[i] += Math.abs(read(c * values.length + i));
  return { width, height, values };
}
