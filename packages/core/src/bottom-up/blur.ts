// Separable Gaussian smoothing and the 3×3 mean used by the spectral residual.
import { makePlane, type FloatMap } from './plane.js';

/** Normalised 1-D Gaussian taps exp(−x²/2σ²), x = −r..r, with r = ceil(3σ) unless given. */
export function gaussianKernel(sigma: number, radius = Math.ceil(3 * sigma)): Float64Array {
  if (!(sigma > 0)) throw new RangeError(`Gaussian sigma must be positive, not ${sigma}`);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Index into [0, n) with the edge pixel repeated (MATLAB 'replicate', OpenCV BORDER_REPLICATE). */
const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** Convolve rows then columns with a symmetric odd kernel, replicating the edge pixels. */
export function separableFilter(src: FloatMap, kernel: Float64Array): FloatMap {
  const { width, height } = src;
  const r = (kernel.length - 1) / 2;
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += kernel[k + r] * src.values[row + clampIndex(x + k, width)];
      tmp[row + x] = s;
    }
  }
  const out = makePlane(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += kernel[k + r] * tmp[clampIndex(y + k, height) * width + x];
      out.values[y * width + x] = s;
    }
  }
  return out;
}

/** Gaussian blur with standard deviation sigma (pixels), edges replicated. */
export function gaussianBlur(src: FloatMap, sigma: number): FloatMap {
  return separableFilter(src, gaussianKernel(sigma));
}

/**
 * 3×3 mean of a periodic array (indices wrap around), on Float64 data: the local average of a
 * DFT spectrum, whose frequency axes are circular (frequency −1 sits next to frequency 0).
 * With `valid`, only the entries marked non-zero there are averaged (0 where none is).
 * On tiny arrays (a side of 1 or 2) wrapped neighbours repeat and count again, as in a 3×3 window.
 */
export function mean3x3Circular(values: Float64Array, width: number, height: number, valid?: Uint8Array): Float64Array {
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = (y + dy + height) % height;
        for (let dx = -1; dx <= 1; dx++) {
          const i = yy * width + ((x + dx + width) % width);
          if (valid && !valid[i]) continue;
          s += values[i];
          n++;
        }
      }
      out[y * width + x] = n ? s / n : 0;
    }
  }
  return out;
}
