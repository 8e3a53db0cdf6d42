// Gabor filters for the orientation channel of the Itti-Koch model.
//
// Parameters are the SaliencyToolbox's defaults (Walther & Koch 2006, defaultGaborParams): period 7
// pixels, isotropic Gaussian envelope (elongation 1) of standard deviation 2.3333 pixels, 9×9 support,
// phases 0° and 90°; each filter has its mean removed (no response to flat regions) and unit L2 norm.
// They are applied at every level of the intensity pyramid, which makes the multi-scale "Gabor
// pyramid" of Itti et al. (1998). The response at a pixel is the quadrature energy
// sqrt(even² + odd²) of the two phases, the modulus of a complex Gabor filter (a complex-cell
// model, independent of where a bar sits within the carrier period; the toolbox adds |even| + |odd|,
// which varies by up to √2 with that phase).
//
// Orientation θ (degrees) is the orientation of the bars and edges a filter prefers, counter-clockwise
// as seen on screen: 0 = horizontal, 90 = vertical, 45 = rising to the right. The carrier varies along
// the normal (sin θ, cos θ) of that direction in image coordinates (x right, y down).
import { makePlane, type FloatMap } from './plane.js';

export interface GaborParams {
  /** Carrier period in pixels (default 7). */
  period: number;
  /** Standard deviation of the Gaussian envelope across the bars (default 2.3333 px). */
  sigma: number;
  /** Envelope along the bars = sigma × elongation (default 1). */
  elongation: number;
  /** Support is (2·radius + 1)² pixels (default 4: 9×9). */
  radius: number;
}

export const DEFAULT_GABOR: Readonly<GaborParams> = { period: 7, sigma: 2.3333, elongation: 1, radius: 4 };

/** Zero-mean, unit-norm Gabor kernel ((2r+1)² values, row-major) for orientation θ° and phase ψ°. */
export function gaborKernel(thetaDeg: number, phaseDeg: number, params: GaborParams = DEFAULT_GABOR): Float64Array {
  const { period, sigma, elongation, radius } = params;
  const size = 2 * radius + 1;
  const t = (thetaDeg * Math.PI) / 180;
  const psi = (phaseDeg * Math.PI) / 180;
  const nx = Math.sin(t);
  const ny = Math.cos(t);
  const omega = (2 * Math.PI) / period;
  const across = 2 * sigma * sigma;
  const along = 2 * (sigma * elongation) ** 2;
  const k = new Float64Array(size * size);
  let mean = 0;
  for (let y = -radius; y <= radius; y++) {
    for (let x = -radius; x <= radius; x++) {
      const u = nx * x + ny * y; // across the preferred bars
      const v = ny * x - nx * y; // along them
      const value = Math.cos(omega * u + psi) * Math.exp(-(u * u) / across - (v * v) / along);
      k[(y + radius) * size + x + radius] = value;
      mean += value;
    }
  }
  mean /= k.length;
  let norm = 0;
  for (let i = 0; i < k.length; i++) {
    k[i] -= mean;
    norm += k[i] * k[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < k.length; i++) k[i] /= norm;
  return k;
}

/** Whole-sample mirror (OpenCV BORDER_REFLECT_101): −1 → 1, n → n − 2. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Gabor energy of a plane for one orientation: sqrt((I∗g₀)² + (I∗g₉₀)²), borders mirrored so that a
 * flat region next to the edge gives no response.
 */
export function gaborEnergy(src: FloatMap, thetaDeg: number, params: GaborParams = DEFAULT_GABOR): FloatMap {
  const even = gaborKernel(thetaDeg, 0, params);
  const odd = gaborKernel(thetaDeg, 90, params);
  const { width, height, values } = src;
  const r = params.radius;
  const size = 2 * r + 1;
  const out = makePlane(width, height);
  // column/row index tables with the mirrored border, so the inner loop has no branches
  const xs = new Int32Array(width + 2 * r);
  for (let i = 0; i < xs.length; i++) xs[i] = mirror(i - r, width);
  const ys = new Int32Array(height + 2 * r);
  for (let i = 0; i < ys.length; i++) ys[i] = mirror(i - r, height) * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let e = 0;
      let o = 0;
      for (let ky = 0; ky < size; ky++) {
        const row = ys[y + ky];
        const kr = ky * size;
        for (let kx = 0; kx < size; kx++) {
          const v = values[row + xs[x + kx]];
          e += even[kr + kx] * v;
          o += odd[kr + kx] * v;
        }
      }
      out.values[y * width + x] = Math.sqrt(e * e + o * o);
    }
  }
  return out;
}
