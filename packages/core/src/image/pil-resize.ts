// Pillow's Image.resize(size, Image.BILINEAR) for 8-bit images, bit for bit (Pillow ≥ 7, libImaging/
// Resample.c): a separable convolution, horizontal pass first, whose triangle filter widens with the
// downscale factor (so it antialiases), with fixed-point weights of 22 fractional bits and rounding
// and clipping to 0..255 after each pass. A pass whose size does not change is skipped. A window of
// the result (a resize then crop) computes only the columns and source rows it needs.
import type { RgbImage } from './types.js';

/** 32 bits less 8 for the result and 2 for overflow, as Pillow has it. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
/** Accumulators at or above this are 255 after the shift. */
const CLIP_HIGH = 256 * ONE;
/** The bilinear (triangle) filter's support at scale 1. */
const SUPPORT = 1;

/** One pass's taps: for output index o, `count[o]` source samples from `first[o]`, weights at o·ksize. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  ksize: number;
  weights: Int32Array;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** Pillow's precompute_coeffs (box = the whole axis) followed by normalize_coeffs_8bpc. */
function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale; // Pillow multiplies by the reciprocal; dividing can differ in the last bit
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // (int)(v + 0.5): truncation toward zero, then clamped to the axis
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      k[i] = triangle((i + lo - center + 0.5) * inverse);
      sum += k[i];
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? k[i] / sum : k[i];
      weights[o * ksize + i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    first[o] = lo;
    count[o] = n;
  }
  return { first, count, ksize, weights };
}

/**
 * Fixed-point accumulator → byte: floor(acc / 2^22) clipped to 0..255 (Pillow's clip8). Accumulators
 * are int32 as in Pillow (Math.imul and | 0, ~13 % faster than doubles here) and exact: the triangle
 * filter's weights are ≥ 0 and sum to 2^22 within rounding, so HALF + 255 · Σ weights < 2^31.
 */
function clip8(acc: number): number {
  return acc <= 0 ? 0 : acc >= CLIP_HIGH ? 255 : acc >> PRECISION_BITS;
}

type Bytes = Uint8Array | Uint8ClampedArray;

/** Output columns [x0, x1) of the horizontal pass, for source rows [y0, y1). */
function resampleRows(src: Bytes, width: number, ch: number, outWidth: number, x0: number, x1: number, y0: number, y1: number): Uint8Array {
  const { first, count, ksize, weights } = bilinearTaps(width, outWidth);
  const ow = x1 - x0;
  const out = new Uint8Array(ow * (y1 - y0) * ch);
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width * ch;
    for (let x = x0; x < x1; x++, o += ch) {
      const n = count[x];
      const w = x * ksize;
      // the first three bands together (one pass over the taps), then any fourth
      const from = row + first[x] * ch;
      let acc0 = HALF;
      let acc1 = HALF;
      let acc2 = HALF;
      for (let i = 0, p = from; i < n; i++, p += ch) {
        const k = weights[w + i];
        acc0 = (acc0 + Math.imul(src[p], k)) | 0;
        acc1 = (acc1 + Math.imul(src[p + 1], k)) | 0;
        acc2 = (acc2 + Math.imul(src[p + 2], k)) | 0;
      }
      out[o] = clip8(acc0);
      out[o + 1] = clip8(acc1);
      out[o + 2] = clip8(acc2);
      if (ch === 4) {
        let acc3 = HALF;
        for (let i = 0, p = from + 3; i < n; i++, p += ch) acc3 = (acc3 + Math.imul(src[p], weights[w + i])) | 0;
        out[o + 3] = clip8(acc3);
      }
    }
  }
  return out;
}

/**
 * Output rows [y0, y1) of the vertical pass over `src`, whose rows are the source rows from `first`
 * on (the rows a window needs), `width` samples of `ch` bands each. Each output row is summed tap by
 * tap over whole source rows (memory read in order; the same integer sums).
 */
function resampleColumns(src: Bytes, width: number, ch: number, t: Taps, first: number, y0: number, y1: number): Uint8Array {
  const stride = width * ch;
  const out = new Uint8Array(stride * (y1 - y0));
  const acc = new Int32Array(stride);
  const { count, ksize, weights } = t;
  for (let y = y0; y < y1; y++) {
    const base = (t.first[y] - first) * stride;
    const n = count[y];
    const w = y * ksize;
    acc.fill(HALF);
    for (let i = 0; i < n; i++) {
      const k = weights[w + i];
      const from = base + i * stride;
      for (let j = 0; j < stride; j++) acc[j] = (acc[j] + Math.imul(src[from + j], k)) | 0;
    }
    const o = (y - y0) * stride;
    for (let j = 0; j < stride; j++) out[o + j] = clip8(acc[j]);
  }
  return out;
}

/**
 * `img.resize((outWidth, outHeight), Image.BILINEAR)` as Pillow computes it for 8-bit bands. Every
 * channel is resampled on its own (Pillow premultiplies an RGBA image's alpha first; callers here
 * drop alpha before resizing). Always returns new pixel data.
 */
export function pilResizeBilinear(img: RgbImage, outWidth: number, outHeight: number): RgbImage {
  return pilResizeBilinearWindow(img, outWidth, outHeight, 0, 0, outWidth, outHeight);
}

/**
 * The w × h window from (left, top) of `pilResizeBilinear(img, outWidth, outHeight)`, the same bytes,
 * computing only what the window needs: its output columns, and the source rows its output rows'
 * taps read (a resize then centre crop, torchvision's Resize + CenterCrop, skips what the crop drops).
 */
export function pilResizeBilinearWindow(img: RgbImage, outWidth: number, outHeight: number,
  left: number, top: number, w: number, h: number): RgbImage {
  const { width, height, channels } = img;
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 1 || outHeight < 1) {
    throw new RangeError(`cannot resize to ${outWidth}×${outHeight}`);
  }
  if (![left, top, w, h].every(Number.isInteger) || left < 0 || top < 0 || w < 1 || h < 1 || left + w > outWidth || top + h > outHeight) {
    throw new RangeError(`window ${w}×${h} at (${left}, ${top}) is not inside ${outWidth}×${outHeight}`);
  }
  // the source rows the window's output rows read (all of them read one row each when the height stays)
  const vertical = outHeight !== height ? bilinearTaps(height, outHeight) : null;
  const rowsFrom = vertical ? vertical.first[top] : top;
  let rowsTo = top + h;
  if (vertical) {
    rowsTo = 0;
    for (let y = top; y < top + h; y++) rowsTo = Math.max(rowsTo, vertical.first[y] + vertical.count[y]);
  }
  // the horizontal pass (or the window's columns of the source rows, when the width stays)
  let data: Bytes;
  if (outWidth !== width) data = resampleRows(img.data, width, channels, outWidth, left, left + w, rowsFrom, rowsTo);
  else {
    const rows = new Uint8Array(w * (rowsTo - rowsFrom) * channels);
    for (let y = rowsFrom; y < rowsTo; y++) {
      const from = (y * width + left) * channels;
      rows.set(img.data.subarray(from, from + w * channels), (y - rowsFrom) * w * channels);
    }
    data = rows;
  }
  if (vertical) data = resampleColumns(data, w, channels, vertical, rowsFrom, top, top + h);
  return { data: data as Uint8Array, width: w, height: h, channels };
}
