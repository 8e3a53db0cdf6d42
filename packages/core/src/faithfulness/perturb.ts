// Perturbation primitives shared by every measure that edits a preprocessed input according to a
// saliency map (deletion/insertion, ROAD, the captions' deletion/control facts):
//
// * saliencyOrder: pixel indices, most salient first; ties by ascending row-major index (a stable
//   order, where RISE's np.flip(np.argsort(...)) leaves ties in whatever order quicksort left them);
// * blurChw: the separable Gaussian blur of a preprocessed C×H×W input (11 taps, σ = 5, weights
//   exp(−k²/2σ²) normalised to sum 1, OpenCV's BORDER_REFLECT_101 borders, each channel alone) — the
//   blurred substrate insertion starts from;
// * topFractionMask / replacePixels: choose the top fraction of pixels and overwrite them (in every
//   channel) with another C×H×W tensor or a constant.
// Pixels are positions of the H×W grid; a pixel is "removed" in all channels at once.
import type { FloatMap } from '../cam/types.js';

/** Channels, height and width of one preprocessed input. */
export interface ChwShape {
  channels: number;
  height: number;
  width: number;
}

export const BLUR_TAPS = 11;
export const BLUR_SIGMA = 5;

/** The shape of one input from [1, C, H, W] (an Explainer's inputShape) or [C, H, W]. */
export function chwShape(dims: readonly number[]): ChwShape {
  const d = dims.length === 4 ? dims.slice(1) : dims;
  if (d.length !== 3 || (dims.length === 4 && dims[0] !== 1) || d.some((v) => !Number.isSafeInteger(v) || v < 1)) {
    throw new RangeError(`expected input dims [1, C, H, W] or [C, H, W] of positive integers, got [${dims.join(', ')}]`);
  }
  return { channels: d[0], height: d[1], width: d[2] };
}

function checkInput(input: Float32Array, shape: ChwShape): void {
  const n = shape.channels * shape.height * shape.width;
  if (input.length !== n) throw new RangeError(`input has ${input.length} values, not ${shape.channels}×${shape.height}×${shape.width} = ${n}`);
}

function checkValues(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`saliency value ${i} is not finite (${values[i]})`);
  }
}

/** Maps of up to 2²¹ pixels sort as one float64 key per pixel: 32 bits of value, 21 of index. */
const INDEX_BITS = 2 ** 21;

/**
 * Pixel indices (row-major) from most to least salient; equal values in ascending index order.
 * Each float32 value becomes an order-preserving uint32 (sign bit flipped for positives, all bits
 * for negatives), inverted for descending order; key = that · 2²¹ + index is an exact float64
 * integer (< 2⁵³), so one native numeric sort of the keys gives the order, ties included.
 */
export function saliencyOrder(map: FloatMap): Int32Array {
  const v = map.values;
  if (v.length !== map.width * map.height) throw new RangeError(`map has ${v.length} values, not ${map.width}×${map.height}`);
  checkValues(v);
  const n = v.length;
  const order = new Int32Array(n);
  if (n > INDEX_BITS) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => v[b] - v[a] || a - b);
  }
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    f[0] = v[i] === 0 ? 0 : v[i]; // −0 ties with +0
    const b = bits[0];
    const ascending = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[i] = (0xffffffff - ascending) * INDEX_BITS + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i] % INDEX_BITS;
  return order;
}

/** How many of `pixels` pixels a fraction in [0, 1] covers: round(fraction × pixels). */
export function fractionCount(fraction: number, pixels: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], not ${fraction}`);
  return Math.round(fraction * pixels);
}

/** 1 for the round(fraction × H·W) most salient pixels (saliencyOrder), 0 elsewhere. */
export function topFractionMask(map: FloatMap, fraction: number): Uint8Array {
  const order = saliencyOrder(map);
  const mask = new Uint8Array(order.length);
  const k = fractionCount(fraction, order.length);
  for (let i = 0; i < k; i++) mask[order[i]] = 1;
  return mask;
}

/** 1 where the mask is 0 and 0 where it is not (e.g. the pixels *outside* the top fraction). */
export function invertMask(mask: Uint8Array): Uint8Array {
  return mask.map((m) => (m ? 0 : 1));
}

/**
 * A copy of the C×H×W input whose masked pixels (mask[y·W + x] ≠ 0) take, in every channel, the
 * value of `replacement` there (a C×H×W tensor) or the constant `replacement`.
 */
export function replacePixels(input: Float32Array, shape: ChwShape, mask: Uint8Array, replacement: Float32Array | number): Float32Array {
  checkInput(input, shape);
  const plane = shape.height * shape.width;
  if (mask.length !== plane) throw new RangeError(`mask has ${mask.length} pixels, not ${shape.height}×${shape.width}`);
  if (typeof replacement !== 'number') checkInput(replacement, shape);
  const out = Float32Array.from(input);
  for (let c = 0; c < shape.channels; c++) {
    const o = c * plane;
    for (let p = 0; p < plane; p++) {
      if (mask[p]) out[o + p] = typeof replacement === 'number' ? replacement : replacement[o + p];
    }
  }
  return out;
}

/** The normalised 1-D Gaussian: taps weights exp(−k²/2σ²), k = −(taps−1)/2 … (taps−1)/2, summing to 1. */
export function blurKernel(taps = BLUR_TAPS, sigma = BLUR_SIGMA): Float64Array {
  if (!Number.isSafeInteger(taps) || taps < 1 || taps % 2 === 0) throw new RangeError(`taps must be a positive odd integer, not ${taps}`);
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be a finite number > 0, not ${sigma}`);
  const r = (taps - 1) / 2;
  const w = new Float64Array(taps);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += w[k + r] = Math.exp((-k * k) / (2 * sigma * sigma));
  return w.map((x) => x / sum);
}

/** OpenCV BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba): the index position i reads in [0, n). */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** Blur every H×W plane of a C×H×W input (rows, then columns; float64 sums); returns a new tensor. */
export function blurChw(input: Float32Array, shape: ChwShape, taps = BLUR_TAPS, sigma = BLUR_SIGMA): Float32Array {
  checkInput(input, shape);
  const { channels, height: h, width: w } = shape;
  const kernel = blurKernel(taps, sigma);
  const r = (taps - 1) / 2;
  const ix = Int32Array.from({ length: w + 2 * r }, (_, j) => reflect101(j - r, w));
  const iy = Int32Array.from({ length: h + 2 * r }, (_, j) => reflect101(j - r, h));
  const out = new Float32Array(input.length);
  const rows = new Float64Array(h * w);
  for (let c = 0; c < channels; c++) {
    const base = c * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += kernel[k] * input[base + y * w + ix[x + k]];
        rows[y * w + x] = acc;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += kernel[k] * rows[iy[y + k] * w + x];
        out[base + y * w + x] = acc;
      }
    }
  }
  return out;
}
