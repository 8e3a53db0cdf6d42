// Pillow's Image.resize(size, BILINEAR) for 8-bit images, bit for bit: a separable convolution
// whose triangle filter widens with the downscale factor (so it antialiases), fixed-point weights
// with 22 fractional bits, rounding and clipping to 0..255 after each pass (Resample.c).
import type { RgbImage } from './types.js';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);
const CLIP_MAX = 2 ** (PRECISION_BITS + 8);

interface Coefficients {
  /** first source index and number of taps per output index */
  start: Int32Array;
  count: Int32Array;
  ksize: number;
  /** fixed-point weights [out, ksize] */
  weights: Int32Array;
}

const triangle = (x: number) => {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
};

/** precompute_coeffs + normalize_coeffs_8bpc for a [0, inSize) box. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      k[i] = triangle((i + lo - center + 0.5) / filterScale);
      sum += k[i];
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? k[i] / sum : k[i];
      weights[o * ksize + i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, ksize, weights };
}

const clip8 = (v: number) => (v >= CLIP_MAX ? 255 : v <= 0 ? 0 : Math.floor(v / ONE));

function horizontal(src: Uint8Array | Uint8ClampedArray, width: number, height: number, ch: number, outWidth: number): Uint8Array {
  const c = coefficients(width, outWidth);
  const out = new Uint8Array(outWidth * height * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const lo = c.start[x];
      const n = c.count[x];
      const w = x * c.ksize;
      for (let b = 0; b < ch; b++) {
        let acc = HALF;
        for (let i = 0; i < n; i++) acc += src[(y * width + lo + i) * ch + b] * c.weights[w + i];
        out[(y * outWidth + x) * ch + b] = clip8(acc);
      }
    }
  }
  return out;
}

function vertical(src: Uint8Array | Uint8ClampedArray, width: number, height: number, ch: number, outHeight: number): Uint8Array {
  const c = coefficients(height, outHeight);
  const out = new Uint8Array(width * outHeight * ch);
  const row = width * ch;
  for (let y = 0; y < outHeight; y++) {
    const lo = c.start[y];
    const n = c.count[y];
    const w = y * c.ksize;
    for (let j = 0; j < row; j++) {
      let acc = HALF;
      for (let i = 0; i < n; i++) acc += src[(lo + i) * row + j] * c.weights[w + i];
      out[y * row + j] = clip8(acc);
    }
  }
  return out;
}

/** Resize like Pillow's `img.resize((outWidth, outHeight), Image.BILINEAR)`; keeps the channel count. */
export function pilResizeBilinear(img: RgbImage, outWidth: number, outHeight: number): RgbImage {
  const { width, height, channels } = img;
  let data: Uint8Array | Uint8ClampedArray = img.data;
  // Pillow skips a pass whose size does not change
  if (outWidth !== width) data = horizontal(data, width, height, channels, outWidth);
  if (outHeight !== height) data = vertical(data, outWidth, height, channels, outHeight);
  if (data === img.data) data = Uint8Array.from(data);
  return { data, width: outWidth, height: outHeight, channels };
}
