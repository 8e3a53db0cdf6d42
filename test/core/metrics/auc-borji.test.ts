// AUC-Borji (cvzoya AUC_Borji.m): seeded uniform negatives, 100 splits, step 0.1.
import { describe, it, expect } from 'vitest';
import { aucBorji } from '../../../packages/core/src/metrics/auc-borji.js';
import { floatMap, testRandom } from '../fixations/helpers.js';

const w = 20;
const h = 20;
const random = testRandom(21);
const smooth = floatMap(w, h, Array.from({ length: w * h }, () => random()));
const fix = floatMap(w, h, Array.from({ length: w * h }, (_, i) => (i % 40 === 3 ? 1 : 0))); // 10 fixated pixels

describe('aucBorji', () => {
  it('scores a constant map exactly 0.5 (normalised to zeros: one threshold 0)', () => {
    expect(aucBorji(floatMap(w, h, new Array(w * h).fill(3)), fix)).toBe(0.5);
  });
  it('scores the binary fixation map 1 − q/2, q = the chance that a drawn pixel is fixated', () => {
    // positives are all 1; a negative is 1 with probability q = 10/400. For a split with a fraction
    // q_s of such negatives the curve is (0,0) (q_s,1) … (1,1): area 1 − q_s/2; over 100 splits the
    // mean of q_s is q (spread ≈ 0.005), so the score is 0.9875 ± 0.002.
    expect(aucBorji(fix, fix)).toBeGreaterThan(0.9875 - 0.004);
    expect(aucBorji(fix, fix)).toBeLessThan(0.9875 + 0.004);
  });
  it('is reproducible from its seed, and different seeds differ only by sampling noise', () => {
    const a = aucBorji(smooth, fix, { seed: 1 });
    expect(aucBorji(smooth, fix, { seed: 1 })).toBe(a);
    const b = aucBorji(smooth, fix, { seed: 2 });
    expect(b).not.toBe(a);
    expect(Math.abs(a - b)).toBeLessThan(0.05);
  });
  it('is invariant to positive affine changes (min-max normalisation), not to every monotone one', () => {
    const base = aucBorji(smooth, fix);
    expect(aucBorji(floatMap(w, h, Array.from(smooth.values, (v) => 4 * v + 9)), fix)).toBeCloseTo(base, 12);
    // a fixed 0.1 grid on a warped scale cuts the ranks elsewhere: x⁸ squeezes most values under 0.1
    expect(Math.abs(aucBorji(floatMap(w, h, Array.from(smooth.values, (v) => v ** 8)), fix) - base)).toBeGreaterThan(1e-3);
  });
  it('uses `splits` and `step`, and is NaN without fixations', () => {
    // the mean over 100 splits varies ~10× less from seed to seed than a single split
    const spread = (splits: number) => {
      const v = Array.from({ length: 20 }, (_, seed) => aucBorji(smooth, fix, { splits, seed }));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    };
    expect(spread(100) * 4).toBeLessThan(spread(1));
    expect(aucBorji(smooth, fix, { step: 0.05 })).not.toBe(aucBorji(smooth, fix));
    expect(aucBorji(smooth, floatMap(w, h, new Array(w * h).fill(0)))).toBeNaN();
    expect(() => aucBorji(smooth, fix, { splits: 0 })).toThrow(RangeError);
    expect(() => aucBorji(smooth, fix, { step: 0 })).toThrow(RangeError);
  });
});
