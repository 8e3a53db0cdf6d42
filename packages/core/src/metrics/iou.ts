// IoU of the top-p % pixels: the most salient p % of the saliency map against the p % of pixels
// where the human density map is highest (the seed study's second measure; not in the MIT/Tübingen
// benchmarks):  IoU = |A ∩ B| / |A ∪ B|.
// * Each region: k = ⌈p/100 · N⌉ pixels (at least 1; the product taken with a 10⁻⁹ tolerance,
//   so 7 % of 100 pixels is 7, not 8 from 7.000000000000001). The region is every pixel whose value
//   is ≥ the k-th largest value: pixels tied with the k-th largest are all in, so a region can
//   exceed k pixels (a constant map's region is the whole map, its IoU then |B|/N). This keeps the
//   score independent of pixel order.
// * Only ranks matter: IoU is invariant to strictly increasing changes of either map.
// * The saliency map is resampled to the density map's size first. p in (0, 100], default 10.
import type { FloatMap } from '../cam/types.js';
import { saliencyAt } from './maps.js';

export const DEFAULT_TOP_P = 10;

export function checkTopP(p: number): number {
  if (!Number.isFinite(p) || p <= 0 || p > 100) throw new RangeError(`top-p must be a percentage in (0, 100], not ${p}`);
  return p;
}

/**
 * The k-th smallest value (k 0-based) of a copy of `values`, by quickselect (Hoare partition around
 * the median of three): O(N) on average instead of sorting.
 */
function kthSmallest(values: ArrayLike<number>, k: number): number {
  const a = Float64Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of a[lo], a[mid], a[hi] as the pivot
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // now a[lo..j] ≤ pivot ≤ a[i..hi], and a[j+1..i−1] = pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The value v such that the top-p % region of `values` is {i : values[i] ≥ v}. */
export function topPThreshold(values: ArrayLike<number>, p: number): number {
  checkTopP(p);
  const n = values.length;
  const k = Math.min(n, Math.max(1, Math.ceil((p / 100) * n - 1e-9)));
  return kthSmallest(values, n - k);
}

export function iou(saliency: FloatMap, density: FloatMap, topP = DEFAULT_TOP_P): number {
  const s = saliencyAt(saliency, density, 'density map');
  const d = density.values;
  const ts = topPThreshold(s, topP);
  const td = topPThreshold(d, topP);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < s.length; i++) {
    const a = s[i] >= ts;
    const b = d[i] >= td;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return inter / union;
}
