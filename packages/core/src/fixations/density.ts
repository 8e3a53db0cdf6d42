// Fixation points → fixation maps (counts per pixel) and density maps (Gaussian-blurred counts).
//
// Pixel of a fixation: pixel i covers [i − 0.5, i + 0.5) on each axis, so a fixation at (x, y)
// falls in pixel (⌊x + 0.5⌋, ⌊y + 0.5⌋). With OSIE's MATLAB coordinates minus 1 this is MATLAB's
// round(x) − 1, the pixel a MATLAB fixation map marks with fixationMap(round(y), round(x)).
// (pysaliency indexes with int(x), i.e. floors: the same pixel only if its coordinates put pixel
// centres at i + 0.5; convert such data by subtracting 0.5.)
//
// Density map: the fixation count map (every fixation counts, also several in one pixel) blurred by
// a Gaussian (gaussian.ts: scipy's kernel, truncation at 4σ, 'nearest' borders by default), then
// by default divided by its sum so it is a probability distribution over pixels. The metrics that
// read density maps are invariant to that scale (CC, SIM, KL, MAE and IoU all normalise).
// Sigma is in pixels; `sigmaFromVisualAngle` converts degrees of visual angle (OSIE: 1° ≈ 24 px).
import type { FloatMap } from '../cam/types.js';
import { gaussianBlurValues, gaussianRadius, ImpulseResponses, type BlurOptions } from './gaussian.js';
import type { Fixation, OutOfBounds } from './types.js';

export interface FixationPixelOptions {
  /** A fixation outside the map: 'error' (default, RangeError), 'drop' it, or 'clamp' it to the edge. */
  outOfBounds?: OutOfBounds;
}

function checkSize(width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`map size ${width}×${height} is not a positive integer size`);
  }
}

/** The pixel [column, row] a fixation falls in, or null when it is outside and `outOfBounds` is 'drop'. */
export function fixationPixel(f: Fixation, width: number, height: number, outOfBounds: OutOfBounds = 'error'): [number, number] | null {
  if (!Number.isFinite(f.x) || !Number.isFinite(f.y)) throw new RangeError(`fixation (${f.x}, ${f.y}) is not a finite point`);
  let px = Math.floor(f.x + 0.5);
  let py = Math.floor(f.y + 0.5);
  if (px >= 0 && px < width && py >= 0 && py < height) return [px, py];
  switch (outOfBounds) {
    case 'drop':
      return null;
    case 'clamp':
      px = Math.min(width - 1, Math.max(0, px));
      py = Math.min(height - 1, Math.max(0, py));
      return [px, py];
    case 'error':
      throw new RangeError(`fixation (${f.x}, ${f.y}) lies outside the ${width}×${height} map (0-based pixel centres; valid x in [−0.5, ${width - 0.5}))`);
    default:
      throw new RangeError(`unknown outOfBounds mode '${outOfBounds as string}'`);
  }
}

/** Count per pixel as float64 (internal: densities are accumulated in float64). */
function counts(fixations: readonly Fixation[], width: number, height: number, outOfBounds: OutOfBounds | undefined): Float64Array {
  checkSize(width, height);
  const c = new Float64Array(width * height);
  for (const f of fixations) {
    const p = fixationPixel(f, width, height, outOfBounds);
    if (p) c[p[1] * width + p[0]] += 1;
  }
  return c;
}

/**
 * The fixation map: the number of fixations in each pixel. The fixation-based metrics (AUC-*, NSS)
 * read it as the benchmark's binary fixation map: a pixel is fixated when its count is > 0, so two
 * fixations in one pixel count once there (cvzoya/saliency's convention).
 */
export function fixationMap(fixations: readonly Fixation[], width: number, height: number, options: FixationPixelOptions = {}): FloatMap {
  return { width, height, values: Float32Array.from(counts(fixations, width, height, options.outOfBounds)) };
}

export interface DensityOptions extends BlurOptions, FixationPixelOptions {
  /** Gaussian sigma in pixels (0: no blur). */
  sigma: number;
  /** 'sum' (default): divide by the sum (a distribution; an empty map stays zero); 'max': by the maximum; 'none'. */
  normalize?: 'sum' | 'max' | 'none';
  /**
   * How the blur is computed; both give the same map up to float rounding. 'splat' adds the kernel's
   * outer product at each fixated pixel (fast for sparse fixations), 'convolve' filters the whole
   * count map; 'auto' (default) picks the cheaper.
   */
  method?: 'auto' | 'splat' | 'convolve';
}

function normalizeInPlace(v: Float64Array, mode: 'sum' | 'max' | 'none'): void {
  if (mode === 'none') return;
  let d = 0;
  if (mode === 'sum') for (const x of v) d += x;
  else for (const x of v) d = Math.max(d, x);
  if (d > 0) for (let i = 0; i < v.length; i++) v[i] /= d;
}

/** Float64 density values (internal, shared with the human ceiling, which sums per-observer maps). */
export function densityValues(fixations: readonly Fixation[], width: number, height: number, options: DensityOptions): Float64Array {
  const c = counts(fixations, width, height, options.outOfBounds);
  const r = gaussianRadius(options.sigma, options.truncate);
  const method = options.method ?? 'auto';
  let nonZero = 0;
  for (const v of c) if (v !== 0) nonZero++;
  // operations: splat ≈ nnz·(2r+1)·(2r+3) (responses + outer product), convolve ≈ 2·w·h·(2r+1)
  const splat = method === 'splat' || (method === 'auto' && nonZero * (2 * r + 3) < 2 * width * height);
  let out: Float64Array;
  if (r === 0) {
    out = c;
  } else if (!splat) {
    out = gaussianBlurValues(c, width, height, options.sigma, options);
  } else {
    out = new Float64Array(width * height);
    const rx = new ImpulseResponses(width, options.sigma, options);
    const ry = new ImpulseResponses(height, options.sigma, options);
    for (let i = 0; i < c.length; i++) {
      if (c[i] === 0) continue;
      const px = i % width;
      const py = (i - px) / width;
      const ax = rx.response(px);
      const ay = ry.response(py);
      for (let j = 0; j < ay.values.length; j++) {
        const wy = c[i] * ay.values[j];
        const o = (ay.lo + j) * width + ax.lo;
        for (let k = 0; k < ax.values.length; k++) out[o + k] += wy * ax.values[k];
      }
    }
  }
  normalizeInPlace(out, options.normalize ?? 'sum');
  return out;
}

/** The density map of fixations on a width×height image (see the file comment). */
export function densityMap(fixations: readonly Fixation[], width: number, height: number, options: DensityOptions): FloatMap {
  return { width, height, values: Float32Array.from(densityValues(fixations, width, height, options)) };
}

export interface ViewingGeometry {
  /** Width of the screen (or of any region of known size) in pixels … */
  screenWidthPx: number;
  /** … and in centimetres. */
  screenWidthCm: number;
  /** Eye-to-screen distance in centimetres. */
  viewingDistanceCm: number;
}

/**
 * Pixels subtended by `degrees` of visual angle centred on the line of sight:
 * 2·d·tan(θ/2) centimetres on the screen, times pixels per centimetre.
 */
export function sigmaFromVisualAngle(degrees: number, g: ViewingGeometry): number {
  for (const [name, v] of Object.entries({ degrees, ...g })) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a finite number > 0, not ${v}`);
  }
  if (degrees >= 180) throw new RangeError(`${degrees}° is not a visual angle below 180°`);
  const cm = 2 * g.viewingDistanceCm * Math.tan((degrees * Math.PI) / 360);
  return (cm * g.screenWidthPx) / g.screenWidthCm;
}
