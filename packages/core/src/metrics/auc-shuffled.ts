// Shuffled AUC (sAUC): like AUC-Borji, but the negatives are fixations made on *other* images, so a
// map that only reproduces the observers' centre bias scores about 0.5. As cvzoya/saliency
// code_forMetrics/AUC_shuffled.m defines it (after Ali Borji; Zhang et al. 2008):
//
// 1. The saliency map is resampled to the fixation map's size and min-max normalised to [0, 1]
//    (a constant map becomes all zeros and scores 0.5).
// 2. Positives: values at the fixated pixels (fixation map > 0), N_fix of them.
// 3. `otherFixationMap`: a map of this image's size whose pixels > 0 were fixated on other images
//    (cvzoya: the union of the fixation maps of M other images, Borji uses M = 10; a union, so a
//    location fixated several times counts once). Build it with fixationMap(otherImagesFixations,
//    width, height) from points in this image's pixel frame.
// 4. For each of `splits` (default 100) splits: N = min(N_fix, #other locations) of the other
//    locations drawn without replacement (randperm), their saliency values the negatives.
// 5. Thresholds fliplr(0:step:max(...)) with step 0.1 (roc.ts); tp = #(positives ≥ t)/N_fix,
//    fp = #(negatives ≥ t)/N; curve closed by (0, 0) and (1, 1); trapz; mean over splits.
// 6. NaN without fixations or without other locations.
//
// pysaliency's sAUC (Tübingen) instead takes every fixation of all other images as negatives at once
// (with repeats) and no subsampling; see scratch/metrics-notes.md.
import type { FloatMap } from '../cam/types.js';
import { checkSplitOptions, type SplitAucOptions } from './auc-borji.js';
import { checkSameSize, fixatedIndices, minMaxNormalized, saliencyAt } from './maps.js';
import { randomSubset, seededRandom } from './random.js';
import { stepRocArea } from './roc.js';

export function aucShuffled(saliency: FloatMap, fixationMap: FloatMap, otherFixationMap: FloatMap, options: SplitAucOptions = {}): number {
  const { splits, step, seed } = checkSplitOptions(options);
  checkSameSize(fixationMap, otherFixationMap, 'fixation map', 'other images\' fixation map');
  const s = minMaxNormalized(saliencyAt(saliency, fixationMap, 'fixation map'));
  const fixated = fixatedIndices(fixationMap);
  const other = fixatedIndices(otherFixationMap);
  if (fixated.length === 0 || other.length === 0) return NaN;
  const positives = new Float64Array(fixated.length);
  for (let i = 0; i < fixated.length; i++) positives[i] = s[fixated[i]];
  const n = Math.min(fixated.length, other.length);
  const random = seededRandom(seed);
  const negatives = new Float64Array(n);
  let total = 0;
  for (let split = 0; split < splits; split++) {
    const pick = randomSubset(random, other, n);
    for (let i = 0; i < n; i++) negatives[i] = s[pick[i]];
    total += stepRocArea(positives, negatives, step);
  }
  return total / splits;
}
