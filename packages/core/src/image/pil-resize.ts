// Pillow's Image.resize(size, Image.BILINEAR) for 8-bit images, bit for bit (Pillow ≥ 7, libImaging/
// Resample.c): a separable convolution, horizontal pass first, whose triangle filter widens with the
// downscale factor (so it antialiases), with fixed-point weights of 22 fractional bits and rounding
// and clipping to 0..255 after each pass. A pass whose size does not change is skipped.
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

/** Fixed-point accumulator → byte: floor(acc / 2^22) clipped to 0..255 (Pillow's clip8). */
function clip8(acc: number): number {
  return acc <= 0 ? 0 : acc >= CLIP_HIGH ? 255 : acc >> PRECISION_BITS;
}

type Bytes = Uint8Array | Uint8ClampedArray;

function resampleRows(src: Bytes, width: number, height: number, ch: number, outWidth: number): Uint8Array {
  const t = bilinearTaps(width, outWidth);
  const out = new Uint8Array(outWidth * height * ch);
  for (let y = 0; y < height; y++) {
    const row = y * width * ch;
    for (let x = 0; x < outWidth; x++) {
      const n = t.count[x];
      const w = x * t.ksize;
      const o = (y * outWidth + x) * ch;
      // the first three bands together (one pass over the taps), then any fourth
      let p = row + t.first[x] * ch;
      let acc0 = HALF;
      let acc1 = HALF;
      let acc2 = HALF;
      for (let i = 0; i < n; i++, p += ch) {
        const k = t.weights[w + i];
        acc0 += src[p] * k;
        acc1 += src[p + 1] * k;
        acc2 += src[p + 2] * k;
      }
      out[o] = clip8(acc0);
      out[o + 1] = clip8(acc1);
      out[o + 2] = clip8(acc2);
      if (ch === 4) {
        p = row + t.first[x] * ch + 3;
        let acc3 = HALF;
        for (let i = 0; i < n; i++, p += ch) acc3 += src[p] * t.weights[w + i];
        out[o + 3] = clip8(acc3);
      }
    }
  }
  return out;
}

function resampleColumns(src: Bytes, width: number, height: number, ch: number, outHeight: number): Uint8Array {
  const t = bilinearTaps(height, outHeight);
  const stride = width * ch;
  const out = new Uint8Array(stride * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const base = t.first[y] * stride;
    const n = t.count[y];
    const w = y * t.ksize;
    for (let j = 0; j < stride; j++) {
      let acc = HALF;
      for (let i = 0; i < n; i++) acc += src[base + i * stride + j] * t.weights[w + i];
      out[y * stride + j] = clip8(acc);
    }
  }
  return out;
}

/**
 * `img.resize((outWidth, outHeight), Image.BILINEAR)` as Pillow computes it for 8-bit bands. Every
 * channel is resampled on its own (Pillow premultiplies an RGBA image's alpha first; callers here
 * drop alpha before resizing). Always returns new pixel data.
 */
export function pilResizeBilinear(img: RgbImage, outWidth: number, outHeight: number): RgbImage {
  const { width, height, channels } = img;
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 1 || outHeight < 1) {
    throw new RangeError(`cannot resize to ${outWidth}×${outHeight}`);
  }
  let data: Bytes = img.data;
  if (outWidth !== width) data = resampleRows(data, width, height, channels, outWidth);
  if (outHeight !== height) data = resampleColumns(data, outWidth, height, channels, outHeight);
  return { data: data === img.data ? Uint8Array.from(data) : data, width: outWidth, height: outHeight, channels };
}
