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

/** Radix digits of the sort keys: three of 11, 11 and 10 bits. */
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const DIGIT = RADIX - 1;

/**
 * One key per pixel whose unsigned (>>> 0) ascending order is the saliency order: the float32 value's
 * bits made order-preserving (sign bit flipped for positives, all bits for negatives; −0 counts as
 * +0) and inverted, stored as int32. Throws on a value that is not finite.
 */
function descendingKeys(map: FloatMap): Int32Array {
  const v = map.values;
  if (v.length !== map.width * map.height) throw new RangeError(`map has ${v.length} values, not ${map.width}×${map.height}`);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  const keys = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) throw new RangeError(`saliency value ${i} is not finite (${x})`);
    f[0] = x === 0 ? 0 : x;
    const b = bits[0];
    keys[i] = b & 0x80000000 ? b : 0x7fffffff - b; // = 0xffffffff − (order-preserving bits)
  }
  return keys;
}

/**
 * Pixel indices (row-major) from most to least salient; equal values in ascending index order — the
 * comparator order (b − a || i − j), by a stable least-significant-digit radix sort of the keys
 * above over the indices in ascending order (O(n), equal keys keep their index order).
 */
export function saliencyOrder(map: FloatMap): Int32Array {
  let keys = descendingKeys(map);
  const n = keys.length;
  let order: Int32Array = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let keysTo: Int32Array = new Int32Array(n);
  let orderTo: Int32Array = new Int32Array(n);
  const counts = new Int32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & DIGIT]++;
    // a digit all keys share leaves the order as it is
    if (n === 0 || counts[(keys[0] >>> shift) & DIGIT] === n) continue;
    for (let d = 0, start = 0; d < RADIX; d++) {
      const c = counts[d];
      counts[d] = start;
      start += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const at = counts[(k >>> shift) & DIGIT]++;
      keysTo[at] = k;
      orderTo[at] = order[i];
    }
    [keys, keysTo] = [keysTo, keys];
    [order, orderTo] = [orderTo, order];
  }
  return order;
}

/** How many of `pixels` pixels a fraction in [0, 1] covers: round(fraction × pixels). */
export function fractionCount(fraction: number, pixels: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], not ${fraction}`);
  return Math.round(fraction * pixels);
}

/**
 * 1 for the round(fraction × H·W) most salient pixels (the first of saliencyOrder), 0 elsewhere.
 * Selected without sorting: the k-th smallest key digit by digit from the top (a histogram per
 * digit), then every pixel below it and, of those equal to it, the lowest indices.
 */
export function topFractionMask(map: FloatMap, fraction: number): Uint8Array {
  const keys = descendingKeys(map);
  const n = keys.length;
  const mask = new Uint8Array(n);
  const k = fractionCount(fraction, n);
  if (k === 0) return mask;
  // the k-th smallest key (unsigned): prefix = its digits found so far, rank = k among keys with that prefix
  let prefix = 0;
  let rank = k;
  const counts = new Int32Array(RADIX);
  for (let shift = 2 * RADIX_BITS; shift >= 0; shift -= RADIX_BITS) {
    counts.fill(0);
    const high = shift + RADIX_BITS; // bits above this digit must equal the prefix
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      if (high >= 32 || key >>> high === prefix >>> high) counts[(key >>> shift) & DIGIT]++;
    }
    let d = 0;
    while (rank > counts[d]) rank -= counts[d++];
    prefix = (prefix | (d << shift)) >>> 0;
  }
  let equal = rank; // how many keys equal to the k-th are taken, lowest indices first
  for (let i = 0; i < n; i++) {
    const key = keys[i] >>> 0;
    if (key < prefix) mask[i] = 1;
    else if (key === prefix && equal > 0) {
      mask[i] = 1;
      equal--;
    }
  }
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
  return replacePixelsInto(new Float32Array(input.length), input, shape, mask, replacement);
}

/** replacePixels written into `out` (input.length values, e.g. one row of a batch); returns `out`. */
export function replacePixelsInto(out: Float32Array, input: Float32Array, shape: ChwShape, mask: Uint8Array, replacement: Float32Array | number): Float32Array {
  checkInput(input, shape);
  const plane = shape.height * shape.width;
  if (mask.length !== plane) throw new RangeError(`mask has ${mask.length} pixels, not ${shape.height}×${shape.width}`);
  if (typeof replacement !== 'number') checkInput(replacement, shape);
  if (out.length !== input.length) throw new RangeError(`output has ${out.length} values, not ${input.length}`);
  out.set(input);
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

/**
 * Blur every H×W plane of a C×H×W input (rows, then columns; float64 sums of the taps in order from
 * the first); returns a new tensor. Columns away from the border read the row directly, border ones
 * through precomputed reflect-101 indices; the default 11 taps are written out (same sums, ~3× faster).
 */
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
    blurRows(input, base, rows, w, h, kernel, ix);
    if (taps === 11) blurColumns11(rows, out, base, w, h, kernel, iy);
    else {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let acc = 0;
          for (let k = 0; k < taps; k++) acc += kernel[k] * rows[iy[y + k] * w + x];
          out[base + y * w + x] = acc;
        }
      }
    }
  }
  return out;
}

/** The row pass of one plane (input from `base`) into `rows`. */
function blurRows(input: Float32Array, base: number, rows: Float64Array, w: number, h: number, kernel: Float64Array, ix: Int32Array): void {
  const taps = kernel.length;
  const r = (taps - 1) / 2;
  // columns [lo, hi) have all their taps inside the row
  const lo = Math.min(r, w);
  const hi = Math.max(lo, w - r);
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10] = kernel;
  for (let y = 0; y < h; y++) {
    const src = base + y * w;
    const to = y * w;
    for (const [start, end] of [[0, lo], [hi, w]]) {
      for (let x = start; x < end; x++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += kernel[k] * input[src + ix[x + k]];
        rows[to + x] = acc;
      }
    }
    if (taps === 11) {
      for (let x = lo; x < hi; x++) {
        const f = src + x - 5;
        rows[to + x] = 0 + k0 * input[f] + k1 * input[f + 1] + k2 * input[f + 2] + k3 * input[f + 3] + k4 * input[f + 4] +
          k5 * input[f + 5] + k6 * input[f + 6] + k7 * input[f + 7] + k8 * input[f + 8] + k9 * input[f + 9] + k10 * input[f + 10];
      }
    } else {
      for (let x = lo; x < hi; x++) {
        let acc = 0;
        const f = src + x - r;
        for (let k = 0; k < taps; k++) acc += kernel[k] * input[f + k];
        rows[to + x] = acc;
      }
    }
  }
}

/** The column pass of one plane for 11 taps, from `rows` into `out` at `base`. */
function blurColumns11(rows: Float64Array, out: Float32Array, base: number, w: number, h: number, kernel: Float64Array, iy: Int32Array): void {
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10] = kernel;
  for (let y = 0; y < h; y++) {
    const a0 = iy[y] * w, a1 = iy[y + 1] * w, a2 = iy[y + 2] * w, a3 = iy[y + 3] * w, a4 = iy[y + 4] * w, a5 = iy[y + 5] * w;
    const a6 = iy[y + 6] * w, a7 = iy[y + 7] * w, a8 = iy[y + 8] * w, a9 = iy[y + 9] * w, a10 = iy[y + 10] * w;
    const to = base + y * w;
    for (let x = 0; x < w; x++) {
      out[to + x] = 0 + k0 * rows[a0 + x] + k1 * rows[a1 + x] + k2 * rows[a2 + x] + k3 * rows[a3 + x] + k4 * rows[a4 + x] +
        k5 * rows[a5 + x] + k6 * rows[a6 + x] + k7 * rows[a7 + x] + k8 * rows[a8 + x] + k9 * rows[a9 + x] + k10 * rows[a10 + x];
    }
  }
}
