// RISE's own insertion substrate, for comparing with its evaluation.py digit for digit: gkern(11, 5)
// is scipy.ndimage.gaussian_filter (σ 5, truncate 4, mode 'reflect') of a delta in the middle of an
// 11×11 window — the σ-5 tail folds back into the window, so the kernel is flatter than a Gaussian
// and sums to about 1 — applied per channel by conv2d with zero padding 5. The filter of a 2-D delta
// is the outer product of the 1-D filter of a 1-D delta, so the blur is separable: rows, then columns.
// The default substrate is blurChw (perturb.ts: the normalised 11-tap Gaussian, reflect-101 borders).
import { gaussianBlurValues } from '../fixations/gaussian.js';
import type { ChwShape } from './perturb.js';

export const RISE_KERNEL_SIZE = 11;
export const RISE_SIGMA = 5;

/** The 1-D factor k of RISE's kernel (gkern = k kᵀ): scipy's gaussian_filter1d of a centred delta. */
export function riseKernel(size = RISE_KERNEL_SIZE, sigma = RISE_SIGMA): Float64Array {
  const delta = new Float64Array(size);
  delta[(size - 1) / 2] = 1;
  return gaussianBlurValues(delta, size, 1, sigma, { border: 'reflect' });
}

/** RISE's blur of a C×H×W input: the separable kernel with zero padding; a new tensor. */
export function riseBlurChw(input: Float32Array, shape: ChwShape): Float32Array {
  const { channels, height: h, width: w } = shape;
  if (input.length !== channels * h * w) throw new RangeError(`input has ${input.length} values, not ${channels}×${h}×${w}`);
  const k = riseKernel();
  const r = (k.length - 1) / 2;
  const out = new Float32Array(input.length);
  const rows = new Float64Array(h * w);
  for (let c = 0; c < channels; c++) {
    const base = c * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let j = Math.max(0, r - x); j < Math.min(k.length, w + r - x); j++) acc += k[j] * input[base + y * w + x + j - r];
        rows[y * w + x] = acc;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let j = Math.max(0, r - y); j < Math.min(k.length, h + r - y); j++) acc += k[j] * rows[(y + j - r) * w + x];
        out[base + y * w + x] = acc;
      }
    }
  }
  return out;
}
