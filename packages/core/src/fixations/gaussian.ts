// Separable Gaussian blur of float maps, defined as scipy.ndimage.gaussian_filter defines it, which
// is what pysaliency and the Tübingen saliency benchmark use to turn fixations into density maps:
//
// * kernel: w[k] = exp(−k² / (2σ²)) for integer k in [−r, r], divided by Σw (so it sums to 1);
// * truncation: r = ⌊truncate·σ + 0.5⌋ with truncate = 4 by default (scipy's `truncate=4.0`,
//   `radius = int(truncate * sd + 0.5)`); the weight dropped beyond 4σ is below 7·10⁻⁵ of the total
//   and the kept weights are renormalised;
// * borders: see BorderMode (types.ts); the default 'nearest' repeats the edge pixels, as the
//   Tübingen benchmark pads ("Gaussian convolution ... and nearest padding");
// * 2-D: the 1-D filter along rows, then along columns (exactly separable for every border mode,
//   because each mode pads each axis independently). Arithmetic in float64.
//
// The MIT benchmark's own MATLAB code blurs in the Fourier domain (antonioGaussian.m: zero padding
// to a square, cyclic extension, a cut-off in cycles per image); we do not reproduce that. See
// scratch/metrics-notes.md.
import type { FloatMap } from '../cam/types.js';
import type { BorderMode } from './types.js';

export const DEFAULT_TRUNCATE = 4;

export interface BlurOptions {
  /** Kernel radius in units of sigma (default 4, as scipy). */
  truncate?: number;
  /** Default 'nearest'. */
  border?: BorderMode;
}

export const BORDER_MODES: readonly BorderMode[] = ['nearest', 'reflect', 'constant'];

function checkSigma(sigma: number, truncate: number): void {
  if (!Number.isFinite(sigma) || sigma < 0) throw new RangeError(`sigma must be a finite number ≥ 0, not ${sigma}`);
  if (!Number.isFinite(truncate) || truncate <= 0) throw new RangeError(`truncate must be a finite number > 0, not ${truncate}`);
}

/** Kernel radius in pixels: ⌊truncate·σ + 0.5⌋ (scipy). */
export function gaussianRadius(sigma: number, truncate = DEFAULT_TRUNCATE): number {
  checkSigma(sigma, truncate);
  return Math.floor(truncate * sigma + 0.5);
}

/** The normalised 1-D kernel, 2r + 1 weights centred on index r. σ = 0 gives [1]. */
export function gaussianKernel(sigma: number, truncate = DEFAULT_TRUNCATE): Float64Array {
  const r = gaussianRadius(sigma, truncate);
  const w = new Float64Array(2 * r + 1);
  if (r === 0) {
    w[0] = 1;
    return w;
  }
  const c = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let k = -r; k <= r; k++) {
    w[k + r] = Math.exp(c * k * k);
    sum += w[k + r];
  }
  for (let k = 0; k < w.length; k++) w[k] /= sum;
  return w;
}

/**
 * The pixel that position `i` (any integer, possibly outside [0, n)) reads under `mode`, or −1 where
 * the map is zero-padded ('constant').
 */
export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'reflect': {
      // period 2n: 0..n−1 forwards, then n−1..0 backwards
      const m = ((i % (2 * n)) + 2 * n) % (2 * n);
      return m < n ? m : 2 * n - 1 - m;
    }
    default:
      throw new RangeError(`unknown border mode '${mode as string}' (expected ${BORDER_MODES.join(', ')})`);
  }
}

/** idx[j] = the pixel read at padded position j − r, for j in [0, n + 2r). */
function paddedIndex(n: number, r: number, mode: BorderMode): Int32Array {
  const idx = new Int32Array(n + 2 * r);
  for (let j = 0; j < idx.length; j++) idx[j] = borderIndex(j - r, n, mode);
  return idx;
}

/** Blur a row-major width×height float64 map; returns a new array (the input is not changed). */
export function gaussianBlurValues(values: Float64Array, width: number, height: number, sigma: number, options: BlurOptions = {}): Float64Array {
  const truncate = options.truncate ?? DEFAULT_TRUNCATE;
  const mode = options.border ?? 'nearest';
  borderIndex(-1, 1, mode); // validates the mode
  if (values.length !== width * height) throw new RangeError(`${values.length} values do not make a ${width}×${height} map`);
  const w = gaussianKernel(sigma, truncate);
  const r = (w.length - 1) / 2;
  if (r === 0) return Float64Array.from(values);

  // along rows (x), through a padded copy of each row
  const ix = paddedIndex(width, r, mode);
  const rows = new Float64Array(width * height);
  const pad = new Float64Array(width + 2 * r);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let j = 0; j < pad.length; j++) pad[j] = ix[j] < 0 ? 0 : values[base + ix[j]];
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * pad[x + k];
      rows[base + x] = acc;
    }
  }
  // along columns (y), a whole source row at a time
  const iy = paddedIndex(height, r, mode);
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let k = 0; k < w.length; k++) {
      const src = iy[y + k];
      if (src < 0) continue;
      const wk = w[k];
      const s = src * width;
      for (let x = 0; x < width; x++) out[o + x] += wk * rows[s + x];
    }
  }
  return out;
}

/** Gaussian blur of a map (sigma in pixels; σ = 0 copies the map). */
export function gaussianBlur(map: FloatMap, sigma: number, options: BlurOptions = {}): FloatMap {
  const out = gaussianBlurValues(Float64Array.from(map.values), map.width, map.height, sigma, options);
  return { width: map.width, height: map.height, values: Float32Array.from(out) };
}

/**
 * The 1-D responses of the filter to a unit impulse at each position p of an axis of length n:
 * response(p)[x] for x in [lo, hi] (zero elsewhere). Summing c·responseX(px) ⊗ responseY(py) over
 * the non-zero pixels of a count map gives exactly `gaussianBlurValues` of that map; for sparse
 * fixation maps this is much cheaper than two full passes.
 */
export class ImpulseResponses {
  private readonly w: Float64Array;
  private readonly r: number;
  /** sources[p] = padded positions j whose read pixel is p */
  private readonly sources: number[][];
  private readonly cache = new Map<number, { lo: number; values: Float64Array }>();

  constructor(readonly n: number, sigma: number, options: BlurOptions = {}) {
    this.w = gaussianKernel(sigma, options.truncate ?? DEFAULT_TRUNCATE);
    this.r = (this.w.length - 1) / 2;
    const idx = paddedIndex(n, this.r, options.border ?? 'nearest');
    this.sources = Array.from({ length: n }, () => []);
    for (let j = 0; j < idx.length; j++) if (idx[j] >= 0) this.sources[idx[j]].push(j);
  }

  /** Output x reads padded position x + k (k in [0, 2r]) with weight w[k]. */
  response(p: number): { lo: number; values: Float64Array } {
    const hit = this.cache.get(p);
    if (hit) return hit;
    const { n, w, r } = this;
    let lo = n;
    let hi = -1;
    for (const j of this.sources[p]) {
      lo = Math.min(lo, Math.max(0, j - 2 * r));
      hi = Math.max(hi, Math.min(n - 1, j));
    }
    const values = new Float64Array(Math.max(0, hi - lo + 1));
    for (const j of this.sources[p]) {
      for (let k = 0; k < w.length; k++) {
        const x = j - k;
        if (x >= 0 && x < n) values[x - lo] += w[k];
      }
    }
    const res = { lo, values };
    this.cache.set(p, res);
    return res;
  }
}
