// The structural similarity index (Wang et al. 2004) of two maps as scikit-image's
// structural_similarity computes it with its defaults for 2-D float images: a 7×7 uniform window,
// K1 = 0.01, K2 = 0.03, sample covariances (× N/(N − 1), N = 49), data_range given (1 for maps
// min-max scaled to [0, 1]), and the mean of the SSIM image over the pixels at least 3 from every
// border (skimage crops `pad = (win − 1)/2` before averaging, so the filter's border mode never matters).
import type { FloatMap } from '../cam/types.js';

export interface SsimOptions {
  /** Odd window side (default 7). */
  window?: number;
  /** Default 1. */
  dataRange?: number;
}

/** Window sums of `v` (w×h) over the side×side window centred on every interior pixel. */
function boxSums(v: Float64Array, w: number, h: number, side: number): Float64Array {
  const r = (side - 1) / 2;
  const rows = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = r; x < w - r; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += v[y * w + x + k];
      rows[y * w + x] = s;
    }
  }
  const out = new Float64Array(w * h);
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += rows[(y + k) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

/** (v − min)/(max − min) in float64; a constant map becomes all zeros. */
export function minMax01(values: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const out = new Float64Array(values.length);
  if (max > min) for (let i = 0; i < values.length; i++) out[i] = (values[i] - min) / (max - min);
  return out;
}

export function ssim(a: FloatMap | { width: number; height: number; values: ArrayLike<number> }, b: typeof a, options: SsimOptions = {}): number {
  const side = options.window ?? 7;
  const range = options.dataRange ?? 1;
  const { width: w, height: h } = a;
  if (b.width !== w || b.height !== h) throw new RangeError(`ssim of a ${w}×${h} and a ${b.width}×${b.height} map`);
  if (side % 2 !== 1 || side > w || side > h) throw new RangeError(`the ${side}×${side} window does not fit a ${w}×${h} map`);
  const x = Float64Array.from(a.values);
  const y = Float64Array.from(b.values);
  const n = side * side;
  const sx = boxSums(x, w, h, side);
  const sy = boxSums(y, w, h, side);
  const sxx = boxSums(x.map((v) => v * v), w, h, side);
  const syy = boxSums(y.map((v) => v * v), w, h, side);
  const sxy = boxSums(x.map((v, i) => v * y[i]), w, h, side);
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  const covNorm = n / (n - 1);
  const r = (side - 1) / 2;
  let total = 0;
  let count = 0;
  for (let yy = r; yy < h - r; yy++) {
    for (let xx = r; xx < w - r; xx++) {
      const i = yy * w + xx;
      const ux = sx[i] / n;
      const uy = sy[i] / n;
      const vx = covNorm * (sxx[i] / n - ux * ux);
      const vy = covNorm * (syy[i] / n - uy * uy);
      const vxy = covNorm * (sxy[i] / n - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}
