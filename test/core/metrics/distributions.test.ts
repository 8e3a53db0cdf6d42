// SIM (similarity.m), KL (KLdiv.m), MAE and IoU (top-p %): worked examples and properties.
import { describe, it, expect } from 'vitest';
import { sim } from '../../../packages/core/src/metrics/sim.js';
import { kl, KL_EPS } from '../../../packages/core/src/metrics/kl.js';
import { mae } from '../../../packages/core/src/metrics/mae.js';
import { iou, topPThreshold } from '../../../packages/core/src/metrics/iou.js';
import { floatMap, testRandom } from '../fixations/helpers.js';

const m = (...v: number[]) => floatMap(2, 2, v);

describe('sim', () => {
  it('worked example: 2/3', () => {
    // s = [0 1 2 3] → min-max [0 ⅓ ⅔ 1] → /2 → [0 ⅙ ⅓ ½]
    // d = [3 3 0 6] → min-max [½ ½ 0 1] → /2 → [¼ ¼ 0 ½]
    // Σ min = 0 + ⅙ + 0 + ½ = ⅔
    expect(sim(m(0, 1, 2, 3), m(3, 3, 0, 6))).toBeCloseTo(2 / 3, 14);
  });
  it('is 1 for the map itself, ignores added constants and scale, 0 for an all-zero map', () => {
    expect(sim(m(0, 1, 2, 3), m(0, 1, 2, 3))).toBeCloseTo(1, 14);
    expect(sim(m(10, 11, 12, 13), m(3, 3, 0, 6))).toBeCloseTo(2 / 3, 14);
    expect(sim(m(0, 5, 10, 15), m(3, 3, 0, 6))).toBeCloseTo(2 / 3, 14);
    expect(sim(m(0, 0, 0, 0), m(3, 3, 0, 6))).toBe(0);
  });
  it('treats a constant non-zero map as uniform (similarity.m: NaN)', () => {
    // uniform ¼ against [¼ ¼ 0 ½]: ¼ + ¼ + 0 + ¼ = ¾
    expect(sim(m(2, 2, 2, 2), m(3, 3, 0, 6))).toBeCloseTo(0.75, 14);
  });
});

describe('kl', () => {
  it('worked example: 25.25·ln 2', () => {
    // P = [1 1 2 0]/4 = [¼ ¼ ½ 0], Q = [1 0 1 2]/4 = [¼ 0 ¼ ½]
    // KL = ¼·ln(eps + 1) + 0 + ¼·ln(eps + ½) + ½·ln(eps + ½/eps), eps = 2⁻⁵²
    //    ≈ 0 − ¼ ln 2 + ½ · 51 ln 2 = 25.25 ln 2 = 17.50196630913862
    expect(KL_EPS).toBe(2 ** -52);
    expect(kl(m(1, 1, 2, 0), m(1, 0, 1, 2))).toBeCloseTo(25.25 * Math.LN2, 12);
  });
  it('is ~0 for the map itself, scale-invariant, and shifts negative maps by their minimum', () => {
    expect(Math.abs(kl(m(1, 2, 3, 4), m(1, 2, 3, 4)))).toBeLessThan(1e-14);
    expect(kl(m(10, 20, 30, 40), m(1, 0, 1, 2))).toBeCloseTo(kl(m(1, 2, 3, 4), m(1, 0, 1, 2)), 14);
    // [−1 −1 0 −2] + 2 = [1 1 2 0]
    expect(kl(m(-1, -1, 0, -2), m(1, 0, 1, 2))).toBeCloseTo(25.25 * Math.LN2, 12);
  });
  it('is not symmetric: the density map is the reference', () => {
    expect(kl(m(1, 0, 1, 2), m(1, 1, 2, 0))).not.toBeCloseTo(kl(m(1, 1, 2, 0), m(1, 0, 1, 2)), 3);
  });
});

describe('mae', () => {
  it('worked example: 1/3', () => {
    // [0 ⅓ ⅔ 1] vs [½ ½ 0 1]: |·| = [½ ⅙ ⅔ 0], mean ⅓
    expect(mae(m(0, 1, 2, 3), m(3, 3, 0, 6))).toBeCloseTo(1 / 3, 14);
  });
  it('is 0 for the map itself and any positive affine change of it; a constant map counts as zeros', () => {
    expect(mae(m(0, 2, 4, 6), m(0, 1, 2, 3))).toBe(0);
    expect(mae(m(5, 5, 5, 5), m(3, 3, 0, 6))).toBeCloseTo((0.5 + 0.5 + 0 + 1) / 4, 14);
  });
});

describe('iou (top-p %)', () => {
  const s = floatMap(10, 1, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  it('worked example: top 30 % of 10 pixels', () => {
    // A = {0 1 2}; d = [0 9 8 1 7 0 …] → B = {1 2 4}; |A∩B| = 2, |A∪B| = 4 → ½
    expect(iou(s, floatMap(10, 1, [0, 9, 8, 1, 7, 0, 0, 0, 0, 0]), 30)).toBe(0.5);
  });
  it('includes every pixel tied with the k-th largest value', () => {
    // d = [0 9 8 5 5 0 …]: the 3rd largest is 5, tied → B = {1 2 3 4}; ∩ {1 2}, ∪ {0 1 2 3 4} → 0.4
    expect(iou(s, floatMap(10, 1, [0, 9, 8, 5, 5, 0, 0, 0, 0, 0]), 30)).toBe(0.4);
    // a constant map's region is everything: IoU = |B|/N = 3/10
    expect(iou(floatMap(10, 1, new Array(10).fill(1)), floatMap(10, 1, [0, 9, 8, 1, 7, 0, 0, 0, 0, 0]), 30)).toBe(0.3);
  });
  it('takes k = ⌈p·N/100⌉ without float drift', () => {
    const v = Array.from({ length: 100 }, (_, i) => i);
    expect(topPThreshold(v, 7)).toBe(93); // 0.07·100 = 7.000000000000001 must not make k 8
    expect(topPThreshold(v, 7.5)).toBe(92); // k = 8
    expect(topPThreshold(v, 0.001)).toBe(99); // at least one pixel
    expect(topPThreshold(v, 100)).toBe(0);
    expect(() => topPThreshold(v, 0)).toThrow(RangeError);
    expect(() => topPThreshold(v, 101)).toThrow(RangeError);
  });
  it('is 1 for the map itself and invariant to increasing transforms', () => {
    const random = testRandom(17);
    const d = floatMap(30, 20, Array.from({ length: 600 }, () => random()));
    const x = floatMap(30, 20, Array.from({ length: 600 }, () => random()));
    expect(iou(d, d, 10)).toBe(1);
    expect(iou(floatMap(30, 20, Array.from(x.values, (v) => Math.exp(5 * v))), d, 10)).toBe(iou(x, d, 10));
  });
});

describe('topPThreshold on random maps', () => {
  it('equals the k-th largest value found by sorting, also with many ties', () => {
    const random = testRandom(23);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const levels = trial % 2 ? 5 : 1e9; // every other map has only 5 distinct values
      const v = Array.from({ length: n }, () => Math.floor(random() * levels));
      const p = 0.5 + random() * 99.5;
      const k = Math.min(n, Math.max(1, Math.ceil((p / 100) * n - 1e-9)));
      const sorted = [...v].sort((a, b) => b - a);
      expect(topPThreshold(v, p)).toBe(sorted[k - 1]);
    }
  });
});
