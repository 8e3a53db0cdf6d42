// Centre bias: the standard baseline that predicts fixations from their position alone.
//
// An anisotropic Gaussian centred on the image, with the parameters Clarke & Tatler (2014, "Deriving
// an appropriate baseline for describing fixation behaviour", Vision Research 102) fitted to the
// fixations of 22 free-viewing data sets: with x scaled so the image spans [−1, 1] (units of half
// the image width, both axes), variance σx² = 0.22 horizontally and σy² = 0.45·σx² vertically, i.e.
//   σx ≈ 0.469·(W/2) = 0.235·W,   σy ≈ 0.315·(W/2) = 0.157·W   (for 800×600: 188 px and 126 px).
// Both sigmas are tied to the width (the fitted anisotropy already reflects 4:3 screens), so the
// blob has the same shape in pixels whatever the height. Pass `sigmaX`/`sigmaY` (fractions of the
// width and height) to override.
// Output: exp(−dx²/2σx² − dy²/2σy²), dx and dy measured from the image centre ((W−1)/2, (H−1)/2)
// in pixels: maximum 1 at the centre, symmetric left-right and up-down.
import { makePlane, type FloatMap } from './plane.js';

export interface CenterBiasOptions {
  /** Horizontal sigma as a fraction of the width (default √0.22/2 ≈ 0.2345). */
  sigmaX?: number;
  /** Vertical sigma as a fraction of the height (default √(0.45·0.22)/2 · W/H, ≈ 0.2098 at 4:3). */
  sigmaY?: number;
}

/** Clarke & Tatler (2014): σx² = 0.22 and σy² = 0.45·σx², in units of half the image width. */
export const CLARKE_TATLER = { variance: 0.22, anisotropy: 0.45 } as const;

/** The sigmas in pixels for a width×height image. */
export function centerBiasSigmas(width: number, height: number, options: CenterBiasOptions = {}): { sigmaX: number; sigmaY: number } {
  const half = width / 2;
  const sigmaX = options.sigmaX !== undefined ? options.sigmaX * width : Math.sqrt(CLARKE_TATLER.variance) * half;
  const sigmaY = options.sigmaY !== undefined ? options.sigmaY * height : Math.sqrt(CLARKE_TATLER.variance * CLARKE_TATLER.anisotropy) * half;
  if (!(sigmaX > 0) || !(sigmaY > 0)) throw new RangeError(`centre-bias sigmas must be positive, not ${sigmaX}, ${sigmaY}`);
  return { sigmaX, sigmaY };
}

/** The centre-bias map for an image (or any {width, height}). */
export function centerBias(size: { width: number; height: number }, options: CenterBiasOptions = {}): FloatMap {
  const { width, height } = size;
  const out = makePlane(width, height);
  const { sigmaX, sigmaY } = centerBiasSigmas(width, height, options);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const gx = new Float64Array(width);
  for (let x = 0; x < width; x++) gx[x] = Math.exp(-((x - cx) ** 2) / (2 * sigmaX * sigmaX));
  for (let y = 0; y < height; y++) {
    const gy = Math.exp(-((y - cy) ** 2) / (2 * sigmaY * sigmaY));
    for (let x = 0; x < width; x++) out.values[y * width + x] = gx[x] * gy;
  }
  return out;
}
