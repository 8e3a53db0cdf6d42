// Dyadic Gaussian pyramid (Burt & Adelson 1983), the scale space of the Itti-Koch model.
//
// Each level is the previous one low-passed and subsampled by 2. The filter is the 6-tap binomial
// [1 5 10 10 5 1]/32 evaluated between two input pixels, so output pixel i sits at input
// coordinate 2i + 0.5: the pyramid keeps half-pixel centres (level-k pixel i ↔ image coordinate
// 2^k (i + 0.5) − 0.5), the convention of `resampleBilinear`, so centre-surround differences and the
// final upsampling line up without the up-to-(2^k − 1)/2-pixel drift that "filter, then take every
// even pixel" has. The authors' iLab toolkit decimates with the same 6-tap kernel (its
// lowPass6xDecX/lowPass6yDecY); at the borders it renormalises a truncated kernel, we mirror the
// image about its edge (half-sample symmetric), which keeps linear ramps linear. Sizes halve
// rounding up (iLab rounds down): 800×600 → 400×300 → … → 4×3 at level 8.
import { makePlane, type FloatMap } from './plane.js';

const TAPS = [1 / 32, 5 / 32, 10 / 32, 10 / 32, 5 / 32, 1 / 32];

/** Half-sample symmetric reflection into [0, n): −1 → 0, −2 → 1, n → n − 1, n + 1 → n − 2. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** Size of the next pyramid level: ceil(n / 2). */
export const halveSize = (n: number) => Math.ceil(n / 2);

/** Width and height of every level 0..depth of a pyramid over a width×height image. */
export function pyramidSizes(width: number, height: number, depth: number): { width: number; height: number }[] {
  const sizes = [{ width, height }];
  for (let l = 1; l <= depth; l++) {
    const prev = sizes[l - 1];
    sizes.push({ width: halveSize(prev.width), height: halveSize(prev.height) });
  }
  return sizes;
}

/** One pyramid step: low-pass with [1 5 10 10 5 1]/32 and subsample by 2 (separably). */
export function reduce(src: FloatMap): FloatMap {
  const { width, height, values } = src;
  const outW = halveSize(width);
  const outH = halveSize(height);
  // horizontal pass: height × outW
  const rows = new Float64Array(height * outW);
  for (let y = 0; y < height; y++) {
    const r = y * width;
    for (let x = 0; x < outW; x++) {
      const base = 2 * x - 2;
      let s = 0;
      if (base >= 0 && base + 5 < width) {
        for (let k = 0; k < 6; k++) s += TAPS[k] * values[r + base + k];
      } else {
        for (let k = 0; k < 6; k++) s += TAPS[k] * values[r + reflect(base + k, width)];
      }
      rows[y * outW + x] = s;
    }
  }
  const out = makePlane(outW, outH);
  for (let y = 0; y < outH; y++) {
    const base = 2 * y - 2;
    for (let k = 0; k < 6; k++) {
      const w = TAPS[k];
      const rr = reflect(base + k, height) * outW;
      const o = y * outW;
      for (let x = 0; x < outW; x++) out.values[o + x] += w * rows[rr + x];
    }
  }
  return out;
}

/** Levels 0..depth: level 0 is the input itself, level k is 2^k times smaller (rounded up). */
export function gaussianPyramid(src: FloatMap, depth: number): FloatMap[] {
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`pyramid depth must be a non-negative integer, not ${depth}`);
  const levels = [src];
  for (let l = 1; l <= depth; l++) levels.push(reduce(levels[l - 1]));
  return levels;
}

/** Reduce a map `steps` times (to a coarser pyramid level). */
export function reduceTimes(src: FloatMap, steps: number): FloatMap {
  let m = src;
  for (let i = 0; i < steps; i++) m = reduce(m);
  return m;
}
