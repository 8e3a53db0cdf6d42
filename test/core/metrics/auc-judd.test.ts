// AUC-Judd (cvzoya AUC_Judd.m): worked examples, ties, jitter, invariances.
import { describe, it, expect } from 'vitest';
import { aucJudd } from '../../../packages/core/src/metrics/auc-judd.js';
import { resampleMap } from '../../../packages/core/src/fixations/resample.js';
import { floatMap, testRandom } from '../fixations/helpers.js';

// 3×3 saliency map (already spanning [0, 1], so min-max changes nothing):
//   1.0 0.2 0.5
//   0.1 0.8 0.3
//   0.6 0.0 0.4
// fixated: (x 0, y 0) = 1.0 and (x 2, y 1) = 0.3; 7 other pixels are the negatives.
const S = floatMap(3, 3, [1.0, 0.2, 0.5, 0.1, 0.8, 0.3, 0.6, 0.0, 0.4]);
const F = floatMap(3, 3, [1, 0, 0, 0, 0, 1, 0, 0, 0]);

describe('aucJudd', () => {
  it('worked example: 6/7', () => {
    // thresholds = the fixated values, descending:
    //   t = 1.0: 1 pixel ≥ t, 1 of them fixated → tp ½, fp (1 − 1)/7 = 0
    //   t = 0.3: 6 pixels ≥ t (1, .5, .8, .3, .6, .4), 2 fixated → tp 1, fp 4/7
    // curve (0,0) (0,½) (4/7,1) (1,1): area 0 + 4/7·¾ + 3/7·1 = 6/7
    // (the Mann–Whitney AUC would be 5/7: Judd interpolates linearly between fixation thresholds)
    expect(aucJudd(S, F, { jitter: false })).toBeCloseTo(6 / 7, 14);
    // jitter (< 10⁻⁷) cannot reorder values 0.1 apart: the same area for any seed
    expect(aucJudd(S, F)).toBeCloseTo(6 / 7, 14);
    expect(aucJudd(S, F, { seed: 12345 })).toBeCloseTo(6 / 7, 14);
  });
  it('counts a pixel fixated twice once (binary fixation map)', () => {
    expect(aucJudd(S, floatMap(3, 3, [3, 0, 0, 0, 0, 1, 0, 0, 0]), { jitter: false })).toBeCloseTo(6 / 7, 14);
  });
  it('handles ties exactly without jitter (AUC_Judd.m would give 0.375 here)', () => {
    // 2×2: [.5 .5; .5 0], fixated: the first two. One threshold .5: 3 pixels ≥ .5, both fixated ones
    // among them → tp 1, fp (3 − 2)/2 = ½; curve (0,0) (½,1) (1,1): area ¼ + ½ = ¾ (= Mann–Whitney
    // with ties counted ½). AUC_Judd.m's per-fixation rates give (0,0) (1,½) (½,1) (1,1): 0.375.
    expect(aucJudd(floatMap(2, 2, [0.5, 0.5, 0.5, 0]), floatMap(2, 2, [1, 1, 0, 0]), { jitter: false })).toBe(0.75);
  });
  it('gives a constant map exactly 0.5 without jitter and 0.5 ± 0.02 with it', () => {
    const w = 100;
    const random = testRandom(3);
    const fix = new Float32Array(w * w);
    for (let i = 0; i < 2000; i++) fix[Math.floor(random() * w * w)] = 1;
    const fm = { width: w, height: w, values: fix };
    const constant = { width: w, height: w, values: new Float32Array(w * w).fill(0.7) };
    expect(aucJudd(constant, fm, { jitter: false })).toBe(0.5);
    // jitter orders the pixels at random: with ~1800 fixated pixels the AUC's spread is ≈ 0.007
    expect(Math.abs(aucJudd(constant, fm) - 0.5)).toBeLessThan(0.02);
  });
  it('scores the fixation map itself 1 and its negation 0.25, not 0', () => {
    expect(aucJudd(F, F)).toBe(1);
    // negated, the two fixated pixels are the lowest (jitter orders them): at the higher one all
    // 7 negatives and 1 fixation are above → (1, ½); then (1, 1). The straight segment from (0, 0)
    // to (1, ½) still encloses ¼: Judd's curve has points only at fixation thresholds.
    const neg = floatMap(3, 3, Array.from(F.values, (v) => -v));
    expect(aucJudd(neg, F)).toBeCloseTo(0.25, 14);
  });
  it('is invariant to strictly increasing transforms (without jitter) and to positive affine ones (with)', () => {
    const random = testRandom(11);
    const w = 30;
    const h = 20;
    const s = floatMap(w, h, Array.from({ length: w * h }, (_, i) => (i * 7919) % (w * h) / (w * h))); // distinct values
    const fix = floatMap(w, h, Array.from({ length: w * h }, () => (random() < 0.07 ? 1 : 0)));
    const base = aucJudd(s, fix, { jitter: false });
    for (const f of [(v: number) => Math.exp(3 * v), (v: number) => v * v * v + v, (v: number) => Math.sqrt(v)]) {
      expect(aucJudd(floatMap(w, h, Array.from(s.values, f)), fix, { jitter: false })).toBeCloseTo(base, 12);
    }
    const jittered = aucJudd(s, fix);
    expect(aucJudd(floatMap(w, h, Array.from(s.values, (v) => 5 * v + 2)), fix)).toBeCloseTo(jittered, 12);
    expect(Math.abs(jittered - base)).toBeLessThan(1e-12); // values 1/600 apart: jitter changes nothing
  });
  it('resamples a map of another size to the fixation map first', () => {
    const random = testRandom(5);
    const big = floatMap(12, 9, Array.from({ length: 108 }, () => random()));
    const fix = floatMap(6, 4, Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 1 : 0)));
    expect(aucJudd(big, fix)).toBe(aucJudd(resampleMap(big, 6, 4), fix));
  });
  it('is NaN without fixations or without non-fixated pixels, and refuses bad maps', () => {
    expect(aucJudd(S, floatMap(3, 3, new Array(9).fill(0)))).toBeNaN();
    expect(aucJudd(S, floatMap(3, 3, new Array(9).fill(1)))).toBeNaN();
    expect(() => aucJudd(floatMap(3, 3, [Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0]), F)).toThrow(/not finite/);
  });
});

describe('aucJudd against a direct transcription of the definition', () => {
  // AUC_Judd.m's loop, with our tie rule (tp counts every positive ≥ t), written the slow way:
  // for each sorted positive, count pixels ≥ t by scanning the whole map.
  function reference(s: number[], fixated: boolean[]): number {
    const min = Math.min(...s);
    const range = Math.max(...s) - min;
    const n = s.map((v) => (range > 0 ? (v - min) / range : 0));
    const pos = n.filter((_, i) => fixated[i]).sort((a, b) => b - a);
    const tp = [0];
    const fp = [0];
    for (const t of pos) {
      const above = n.filter((v) => v >= t).length;
      const hits = pos.filter((v) => v >= t).length;
      tp.push(hits / pos.length);
      fp.push((above - hits) / (n.length - pos.length));
    }
    tp.push(1);
    fp.push(1);
    let area = 0;
    for (let i = 1; i < tp.length; i++) area += ((fp[i] - fp[i - 1]) * (tp[i] + tp[i - 1])) / 2;
    return area;
  }
  it('agrees on random maps, with and without tied values', () => {
    const random = testRandom(41);
    for (let trial = 0; trial < 60; trial++) {
      const w = 3 + Math.floor(random() * 12);
      const h = 3 + Math.floor(random() * 12);
      const levels = trial % 3 === 0 ? 4 : 1000;
      const s = Array.from({ length: w * h }, () => Math.floor(random() * levels) / levels);
      const fixated = s.map(() => random() < 0.2);
      if (!fixated.some(Boolean) || fixated.every(Boolean)) continue;
      const got = aucJudd(floatMap(w, h, s), floatMap(w, h, fixated.map(Number)), { jitter: false });
      expect(got).toBeCloseTo(reference(Array.from(Float32Array.from(s)), fixated), 12);
    }
  });
});
