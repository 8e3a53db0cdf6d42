// NSS, Normalized Scanpath Saliency (Peters et al. 2005), as cvzoya/saliency code_forMetrics/NSS.m
// defines it: the saliency map, resampled to the fixation map's size, standardised to zero mean and
// unit standard deviation over all pixels, averaged over the fixated pixels.
//
// * Standard deviation: MATLAB's std, normalised by N − 1 (numpy's/pysaliency's std uses N; the two
//   NSS values differ by the factor sqrt((N − 1)/N), 1 − 10⁻⁶ on an 800×600 map).
// * Fixated pixels: fixation map > 0, each pixel once (NSS.m indexes with logical(fixationMap));
//   pysaliency averages over fixations, so a pixel fixated twice weighs twice there.
// * A constant map (std 0, where NSS.m divides by 0) scores 0, as pysaliency (which skips the
//   division when the std is 0). No fixations: NaN.
// NSS is invariant to positive affine changes of the map (a·s + b, a > 0).
import type { FloatMap } from '../cam/types.js';
import { fixatedIndices, mean, saliencyAt, std } from './maps.js';

export function nss(saliency: FloatMap, fixationMap: FloatMap): number {
  const s = saliencyAt(saliency, fixationMap, 'fixation map');
  const fixated = fixatedIndices(fixationMap);
  if (fixated.length === 0) return NaN;
  const m = mean(s);
  const sd = s.length > 1 ? std(s, 1, m) : 0;
  if (!(sd > 0)) return 0;
  let total = 0;
  for (const i of fixated) total += (s[i] - m) / sd;
  return total / fixated.length;
}
