// The map normalisation operator N(·) of Itti, Koch & Niebur (1998), as the authors' own iLab
// Neuromorphic Vision Toolkit implements it (maxNormalizeStd in Image/fancynorm.C; the
// SaliencyToolbox's maxNormalizeLocalMax computes the same, and stops with an error where no local
// maximum exists):
//   1. negative values are set to 0 (feature maps are absolute differences, so this only guards);
//   2. the map is rescaled linearly so its minimum is 0 and its maximum M = 10;
//   3. local maxima are the interior pixels (not on the 1-pixel border) that are ≥ their 4 neighbours
//      and ≥ M/10 = 1 (a threshold that keeps the flanks of noise out);
//   4. the map is multiplied by (M − m̄)², m̄ the mean of those local maxima. The toolkit's mean
//      includes the global maximum itself (the paper says "all its other local maxima"); we follow
//      the code. One local maximum gives the factor M² = 100; many equally strong ones give ≈ 0.
// A map with no local maximum is returned rescaled but unweighted (factor 1); a constant map (no
// structure) becomes all zeros, and so does a map whose range is at most `floor`: N(·) is blind to
// scale, so without a floor the rounding noise of a uniform region (1e-8) would be stretched to
// the full range [0, 10] like a real signal. Maps smaller than 3×3 have no interior and get factor 1.
import { makePlane, type FloatMap } from './plane.js';

/** The range maps are rescaled to before weighting ([0, M]). */
export const N_RANGE = 10;

export interface LocalMaxima {
  count: number;
  mean: number;
}

/** Interior 4-neighbour local maxima ≥ threshold: how many and their mean value. */
export function localMaxima(map: FloatMap, threshold: number): LocalMaxima {
  const { width: w, height: h, values: v } = map;
  let count = 0;
  let sum = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const val = v[i];
      if (val >= threshold && val >= v[i - 1] && val >= v[i + 1] && val >= v[i - w] && val >= v[i + w]) {
        count++;
        sum += val;
      }
    }
  }
  return { count, mean: count ? sum / count : 0 };
}

/**
 * N(·): rescale to [0, 10], then weight by (10 − mean of the local maxima)². Returns a new map.
 * Maps whose values span no more than `floor` are treated as flat (all zeros).
 */
export function normalizeMap(map: FloatMap, floor = 0): FloatMap {
  const out = makePlane(map.width, map.height);
  let min = Infinity;
  let max = -Infinity;
  for (const raw of map.values) {
    const v = raw > 0 ? raw : 0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max - min > floor)) return out; // flat: nothing stands out
  const scale = N_RANGE / (max - min);
  for (let i = 0; i < out.values.length; i++) {
    const v = map.values[i] > 0 ? map.values[i] : 0;
    out.values[i] = (v - min) * scale;
  }
  const { count, mean } = localMaxima(out, N_RANGE / 10);
  const factor = count > 1 ? (N_RANGE - mean) ** 2 : count === 1 ? N_RANGE * N_RANGE : 1;
  if (factor !== 1) for (let i = 0; i < out.values.length; i++) out.values[i] *= factor;
  return out;
}
