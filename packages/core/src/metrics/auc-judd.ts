// AUC-Judd: area under the ROC curve of the saliency map as a classifier of fixated pixels against
// all other pixels, as cvzoya/saliency code_forMetrics/AUC_Judd.m defines it (Judd et al. 2009;
// Bylinskii et al., "What do different evaluation metrics tell us about saliency models?", 2018):
//
// 1. The saliency map is resampled to the fixation map's size (fixations/resample.ts).
// 2. jitter (default on, as AUC_Judd.m's default jitter = 1): add uniform noise in [0, 10⁻⁷)
//    (rand/10000000) to every pixel, from a seeded generator (random.ts), to break ties.
// 3. Min-max normalise to [0, 1]. A constant map (possible only without jitter) becomes all zeros
//    where MATLAB would divide 0 by 0.
// 4. Positives: the fixated pixels (fixation map > 0: several fixations in one pixel count once).
//    Thresholds: the positives' values in descending order. At threshold t with i positives ≥ t and
//    A pixels ≥ t: tp = i/N_fix, fp = (A − i)/(N_pixels − N_fix), i.e. the negatives are every
//    pixel that is not fixated. The curve starts at (0, 0), ends at (1, 1); area by trapz.
// 5. No fixated pixel: NaN (as AUC_Judd.m); every pixel fixated: NaN (no negatives).
//
// Ties, our one deviation: AUC_Judd.m sets tp(i) = i/N_fix at the i-th sorted positive even when
// several positives share its value (so tp is then below the true rate); we count all positives ≥ t.
// The two are identical whenever the positives' values are distinct, which jitter makes (almost
// surely) true; without jitter a tied map gets the exact ROC, so a constant map scores exactly 0.5.
// With jitter on, scores change with the seed by O(10⁻⁷) in the normalised units (and more only
// where maps have large constant regions, where any tie-breaking is arbitrary).
//
// pysaliency's AUC (the Tübingen benchmark) differs by design: every fixation counts (also repeats),
// all pixels are negatives, no jitter. Use `aucJudd` for MIT-benchmark-comparable numbers.
import type { FloatMap } from '../cam/types.js';
import { fixatedIndices, minMaxNormalized, saliencyAt } from './maps.js';
import { seededRandom } from './random.js';
import { trapz } from './roc.js';

export interface AucJuddOptions {
  /** Add rand/10⁷ to every pixel before normalising (default true, as AUC_Judd.m). */
  jitter?: boolean;
  /** Seed of the jitter (default 0). */
  seed?: number;
}

/** Amplitude of AUC_Judd.m's jitter: rand(size(map))/10000000. */
export const JUDD_JITTER = 1e-7;

/**
 * For thresholds u (ascending, distinct), the number of values ≥ u[j] for every j, in one pass:
 * each value is binned under the largest threshold it reaches (binary search), then suffix sums.
 * O(N log m) instead of sorting all N pixels.
 */
function countsAtLeast(values: Float64Array, u: Float64Array): Float64Array {
  const m = u.length;
  const bins = new Float64Array(m + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let lo = 0; // first j with u[j] > v
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    bins[lo]++; // v ≥ u[0 .. lo − 1]
  }
  const above = new Float64Array(m);
  let acc = 0;
  for (let j = m; j >= 1; j--) {
    acc += bins[j];
    above[j - 1] = acc;
  }
  return above;
}

export function aucJudd(saliency: FloatMap, fixationMap: FloatMap, options: AucJuddOptions = {}): number {
  const raw = saliencyAt(saliency, fixationMap, 'fixation map');
  const fixated = fixatedIndices(fixationMap);
  const nFix = fixated.length;
  const nPix = raw.length;
  if (nFix === 0 || nFix === nPix) return NaN;
  if (options.jitter ?? true) {
    const random = seededRandom(options.seed ?? 0);
    for (let i = 0; i < nPix; i++) raw[i] += random() * JUDD_JITTER;
  }
  const s = minMaxNormalized(raw);
  const positives = new Float64Array(nFix);
  for (let i = 0; i < nFix; i++) positives[i] = s[fixated[i]];
  positives.sort().reverse();
  // distinct positive values, ascending, and how many pixels reach each
  const distinct = Float64Array.from(new Set(positives)).reverse();
  const above = countsAtLeast(s, distinct);

  const tp = new Float64Array(nFix + 2);
  const fp = new Float64Array(nFix + 2);
  for (let i = 0, j = distinct.length - 1; i < nFix; j--) {
    const t = positives[i];
    let end = i + 1; // positives ≥ t: the whole run of equal values
    while (end < nFix && positives[end] === t) end++;
    for (let k = i; k < end; k++) {
      tp[k + 1] = end / nFix;
      fp[k + 1] = (above[j] - end) / (nPix - nFix);
    }
    i = end;
  }
  tp[nFix + 1] = 1;
  fp[nFix + 1] = 1;
  return trapz(fp, tp);
}
