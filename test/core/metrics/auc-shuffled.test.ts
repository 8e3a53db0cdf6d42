// Shuffled AUC (cvzoya AUC_shuffled.m): worked examples and the centre-bias property.
import { describe, it, expect } from 'vitest';
import { aucShuffled } from '../../../packages/core/src/metrics/auc-shuffled.js';
import { aucBorji } from '../../../packages/core/src/metrics/auc-borji.js';
import { fixationMap } from '../../../packages/core/src/fixations/density.js';
import { centreGaussian, floatMap, normal, testRandom } from '../fixations/helpers.js';

// 3×3, values exact in float32 (0.3 would be stored as 0.30000001, above MATLAB's threshold
// 0.30000000000000004); fixated: 1 (x 0, y 0) and 0.375 (x 2, y 1)
const S = floatMap(3, 3, [1, 0.25, 0.5, 0.125, 0.75, 0.375, 0.625, 0, 0.875]);
const F = floatMap(3, 3, [1, 0, 0, 0, 0, 1, 0, 0, 0]);

describe('aucShuffled', () => {
  it('worked example: other images fixated exactly 2 pixels → every split uses both → 0.75', () => {
    // negatives = the values at the other fixations: 0.25 (x 1, y 0) and 0.625 (x 0, y 2).
    // thresholds fliplr(0:0.1:1) (the map is already min 0, max 1):
    //   t 1 … 0.7: tp ½ (1), fp 0;  t 0.6, 0.5, 0.4: fp ½ (0.625);  t 0.3: tp 1 (0.375);  t ≤ 0.2: fp 1
    // curve (0,0) (0,½) (½,½) (½,1) (1,1): area ½·½ + ½·1 = 0.75
    const other = floatMap(3, 3, [0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(aucShuffled(S, F, other)).toBeCloseTo(0.75, 14);
  });
  it('takes min(#fixations, #other locations) negatives and divides fp by that number', () => {
    // one other location (0.625): t 1 … 0.7: (0, ½); t 0.6 … 0.4: (1, ½); t 0.3 …: (1, 1) → area ½
    expect(aucShuffled(S, F, floatMap(3, 3, [0, 0, 0, 0, 0, 0, 2, 0, 0]))).toBeCloseTo(0.5, 14);
  });
  it('scores a pure centre-bias map 0.5 ± 0.04 against centre-biased fixations (AUC-Borji: > 0.75)', () => {
    const width = 200;
    const height = 150;
    const random = testRandom(99);
    const draw = (n: number) => Array.from({ length: n }, () => ({
      x: Math.min(width - 1, Math.max(0, 99.5 + 30 * normal(random))),
      y: Math.min(height - 1, Math.max(0, 74.5 + 22 * normal(random))),
    }));
    const own = fixationMap(draw(1000), width, height);
    const others = fixationMap(draw(5000), width, height);
    const centre = centreGaussian(width, height, 30, 22);
    // same distribution for positives and negatives: the AUC's spread is ≈ sqrt((1/n + 1/m)/12) ≈ 0.013
    expect(Math.abs(aucShuffled(centre, own, others) - 0.5)).toBeLessThan(0.04);
    expect(aucBorji(centre, own)).toBeGreaterThan(0.75);
  });
  it('is NaN without fixations or without other fixations, and needs maps of one size', () => {
    const none = floatMap(3, 3, new Array(9).fill(0));
    expect(aucShuffled(S, none, F)).toBeNaN();
    expect(aucShuffled(S, F, none)).toBeNaN();
    expect(() => aucShuffled(S, F, floatMap(2, 2, [1, 0, 0, 0]))).toThrow(/3×3 but/);
  });
});
