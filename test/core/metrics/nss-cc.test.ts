// NSS (NSS.m) and CC (CC.m): worked examples and invariances.
import { describe, it, expect } from 'vitest';
import { nss } from '../../../packages/core/src/metrics/nss.js';
import { cc } from '../../../packages/core/src/metrics/cc.js';
import { floatMap, testRandom } from '../fixations/helpers.js';

describe('nss', () => {
  const s = floatMap(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const f = floatMap(3, 3, [0, 0, 0, 0, 0, 0, 1, 0, 1]); // fixated: 7 and 9
  it('worked example: MATLAB std (N − 1) → sqrt(1.2)', () => {
    // mean 5, Σ(v − 5)² = 60, std = sqrt(60/8) = sqrt(7.5); z(7) = 2/sqrt(7.5), z(9) = 4/sqrt(7.5)
    // NSS = 3/sqrt(7.5) = sqrt(1.2) = 1.0954451150103321 (numpy's std would give 3/sqrt(60/9) = 1.1619)
    expect(nss(s, f)).toBeCloseTo(Math.sqrt(1.2), 14);
  });
  it('counts a pixel fixated twice once', () => {
    expect(nss(s, floatMap(3, 3, [0, 0, 0, 0, 0, 0, 1, 0, 5]))).toBeCloseTo(Math.sqrt(1.2), 14);
  });
  it('is 0 for a constant map, NaN without fixations', () => {
    expect(nss(floatMap(3, 3, new Array(9).fill(4)), f)).toBe(0);
    expect(nss(s, floatMap(3, 3, new Array(9).fill(0)))).toBeNaN();
  });
  it('is invariant to positive affine changes and flips sign with negative ones', () => {
    const random = testRandom(8);
    const m = floatMap(25, 16, Array.from({ length: 400 }, () => random()));
    const fx = floatMap(25, 16, Array.from({ length: 400 }, () => (random() < 0.05 ? 1 : 0)));
    const base = nss(m, fx);
    expect(nss(floatMap(25, 16, Array.from(m.values, (v) => 3.5 * v + 10)), fx)).toBeCloseTo(base, 5);
    expect(nss(floatMap(25, 16, Array.from(m.values, (v) => -2 * v)), fx)).toBeCloseTo(-base, 5);
  });
});

describe('cc', () => {
  it('worked example: 11/sqrt(130)', () => {
    // s = [1 2 3 4], d = [2 4 5 9]: deviations [−1.5 −.5 .5 1.5] and [−3 −1 0 4];
    // Σ products 11, Σ squares 5 and 26 → r = 11/sqrt(130) = 0.9647638212377322
    expect(cc(floatMap(2, 2, [1, 2, 3, 4]), floatMap(2, 2, [2, 4, 5, 9]))).toBeCloseTo(11 / Math.sqrt(130), 14);
  });
  it('is 1 for the map itself, −1 for its negation, invariant to positive affine changes', () => {
    const random = testRandom(4);
    const d = floatMap(20, 10, Array.from({ length: 200 }, () => random()));
    expect(cc(d, d)).toBeCloseTo(1, 12);
    expect(cc(floatMap(20, 10, Array.from(d.values, (v) => -v)), d)).toBeCloseTo(-1, 12);
    const s = floatMap(20, 10, Array.from({ length: 200 }, (_, i) => d.values[i] + random()));
    expect(cc(floatMap(20, 10, Array.from(s.values, (v) => 7 * v - 3)), d)).toBeCloseTo(cc(s, d), 6);
  });
  it('is 0 for a constant saliency map and NaN for a constant density map', () => {
    expect(cc(floatMap(2, 2, [5, 5, 5, 5]), floatMap(2, 2, [1, 2, 3, 4]))).toBe(0);
    expect(cc(floatMap(2, 2, [1, 2, 3, 4]), floatMap(2, 2, [5, 5, 5, 5]))).toBeNaN();
  });
});
