// AUC-Borji: ROC area of the saliency map classifying fixated pixels against pixels drawn uniformly
// from the whole image, as cvzoya/saliency code_forMetrics/AUC_Borji.m defines it (after Ali Borji):
//
// 1. The saliency map is resampled to the fixation map's size and min-max normalised to [0, 1]
//    (a constant map becomes all zeros, where MATLAB would divide 0 by 0; it then scores 0.5).
// 2. Positives: the values at the fixated pixels (fixation map > 0; repeats in a pixel count once),
//    N_fix of them.
// 3. For each of `splits` (default 100) splits: N_fix negatives drawn uniformly *with replacement*
//    from all pixels (fixated ones included), as randi([1 Npixels], [Nfixations, Nsplits]).
// 4. Thresholds fliplr(0:step:max(positives ∪ negatives)) with step 0.1 by default (MATLAB's colon,
//    roc.ts), tp and fp at each, the curve closed by (0, 0) and (1, 1), area by trapz.
// 5. The score is the mean area over the splits; NaN without fixations.
//
// The draws come from a seeded generator (random.ts); MATLAB's own random stream cannot be
// reproduced, so single scores match AUC_Borji.m in distribution (the spread over 100 splits is
// small). Because thresholds are a fixed grid, AUC-Borji is invariant to positive affine changes of
// the map, not to every monotone one (AUC-Judd is).
import type { FloatMap } from '../cam/types.js';
import { fixatedIndices, minMaxNormalized, saliencyAt } from './maps.js';
import { randomInt, seededRandom } from './random.js';
import { stepRocArea } from './roc.js';

export interface SplitAucOptions {
  /** Number of random sets of negatives (default 100, as cvzoya). */
  splits?: number;
  /** Threshold step on the normalised map (default 0.1, as cvzoya). */
  step?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
}

export const AUC_SPLITS = 100;
export const AUC_STEP = 0.1;

export function checkSplitOptions(options: SplitAucOptions): { splits: number; step: number; seed: number } {
  const splits = options.splits ?? AUC_SPLITS;
  const step = options.step ?? AUC_STEP;
  if (!Number.isSafeInteger(splits) || splits < 1) throw new RangeError(`splits must be a positive integer, not ${splits}`);
  if (!Number.isFinite(step) || step <= 0 || step > 1) throw new RangeError(`step must be in (0, 1], not ${step}`);
  return { splits, step, seed: options.seed ?? 0 };
}

export function aucBorji(saliency: FloatMap, fixationMap: FloatMap, options: SplitAucOptions = {}): number {
  const { splits, step, seed } = checkSplitOptions(options);
  const s = minMaxNormalized(saliencyAt(saliency, fixationMap, 'fixation map'));
  const fixated = fixatedIndices(fixationMap);
  const nFix = fixated.length;
  if (nFix === 0) return NaN;
  const positives = new Float64Array(nFix);
  for (let i = 0; i < nFix; i++) positives[i] = s[fixated[i]];
  const random = seededRandom(seed);
  const negatives = new Float64Array(nFix);
  let total = 0;
  for (let split = 0; split < splits; split++) {
    for (let i = 0; i < nFix; i++) negatives[i] = s[randomInt(random, s.length)];
    total += stepRocArea(positives, negatives, step);
  }
  return total / splits;
}
