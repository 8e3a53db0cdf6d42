// Tests of the perturbation primitives (faithfulness/perturb.ts) against hand-worked values:
// the saliency order with ties, top-fraction masks, pixel replacement, and the 11-tap σ = 5 blur
// with reflect-101 borders (closed-form kernel, a ramp's border values, an impulse's response).
import { describe, expect, it } from 'vitest';
import {
  blurChw, blurKernel, chwShape, invertMask, reflect101, replacePixels, saliencyOrder, topFractionMask,
} from '../../../packages/core/src/faithfulness/perturb.js';

const map = (width: number, height: number, values: number[]) => ({ width, height, values: Float32Array.from(values) });

describe('saliencyOrder', () => {
  it('puts the most salient first and breaks ties by ascending row-major index', () => {
    expect([...saliencyOrder(map(3, 2, [0.5, 1, 0.5, 1, 0, 0.75]))]).toEqual([1, 3, 5, 0, 2, 4]);
  });
  it('equals a comparator sort on 224² values with many ties, negatives and ±0', () => {
    let a = 9;
    const values = Float32Array.from({ length: 224 * 224 }, (_, i) => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return i % 97 === 0 ? -0 : Math.round(((a >>> 8) / 2 ** 24 - 0.3) * 40) / 8; // 41 distinct values
    });
    const want = Int32Array.from({ length: values.length }, (_, i) => i).sort((x, y) => values[y] - values[x] || x - y);
    expect(saliencyOrder(map(224, 224, values))).toEqual(want);
  });
  it('gives topFractionMask the first round(f·n) pixels of the comparator order, ties included', () => {
    let a = 5;
    const next = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (const make of [() => next() * 3 - 1, () => Math.round(next() * 6) / 4 - 0.5, () => (next() < 0.3 ? 0 : next() * 1e-40)]) {
      const values = Float32Array.from({ length: 61 * 47 }, make);
      const sorted = Int32Array.from({ length: values.length }, (_, i) => i).sort((x, y) => values[y] - values[x] || x - y);
      for (const f of [0, 0.01, 0.2, 0.5, 0.93, 1]) {
        const want = new Uint8Array(values.length);
        for (let i = 0; i < Math.round(f * values.length); i++) want[sorted[i]] = 1;
        expect(topFractionMask(map(61, 47, [...values]), f)).toEqual(want);
      }
    }
  });
  it('rejects non-finite values and wrong sizes', () => {
    expect(() => topFractionMask(map(2, 1, [Infinity, 0]), 0.5)).toThrow(RangeError);
    expect(() => saliencyOrder(map(2, 1, [0, NaN]))).toThrow(RangeError);
    expect(() => saliencyOrder(map(2, 2, [0, 1]))).toThrow(RangeError);
  });
});

describe('topFractionMask and replacePixels', () => {
  const m = map(2, 2, [0.1, 0.9, 0.9, 0.3]);
  it('marks round(fraction × pixels) pixels in saliency order', () => {
    expect([...topFractionMask(m, 0.5)]).toEqual([0, 1, 1, 0]);
    expect([...topFractionMask(m, 0.3)]).toEqual([0, 1, 0, 0]); // round(1.2) = 1: the tie goes to index 1
    expect([...topFractionMask(m, 0)]).toEqual([0, 0, 0, 0]);
    expect([...invertMask(topFractionMask(m, 0.75))]).toEqual([1, 0, 0, 0]);
    expect(() => topFractionMask(m, 1.5)).toThrow(RangeError);
  });
  it('replaces masked pixels in every channel by a constant or another tensor', () => {
    const shape = chwShape([1, 2, 2, 2]);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const mask = Uint8Array.from([0, 1, 0, 1]);
    expect([...replacePixels(x, shape, mask, 0)]).toEqual([1, 0, 3, 0, 5, 0, 7, 0]);
    const other = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8]);
    expect([...replacePixels(x, shape, mask, other)]).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
    expect([...x]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => replacePixels(x, shape, Uint8Array.of(1), 0)).toThrow(RangeError);
    expect(() => chwShape([2, 3, 4, 4])).toThrow(RangeError);
  });
});

describe('blur', () => {
  // exp(−k²/50) for k = 0..5, written out
  const e = [1, 0.9801986733067553, 0.9231163463866358, 0.835270211411272, 0.7261490370736908, 0.6065306597126334];
  const sum = e[0] + 2 * (e[1] + e[2] + e[3] + e[4] + e[5]);

  it('uses the 11-tap σ = 5 Gaussian normalised to 1', () => {
    const k = blurKernel();
    expect(k.length).toBe(11);
    for (let i = 0; i <= 5; i++) {
      expect(k[5 + i]).toBeCloseTo(e[i] / sum, 15);
      expect(k[5 - i]).toBeCloseTo(e[i] / sum, 15);
    }
  });

  it('reflects borders as OpenCV BORDER_REFLECT_101', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflect101(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
  });

  it('keeps constants, keeps a ramp inside and folds it at the border', () => {
    const w = 16;
    const h = 12;
    const x = new Float32Array(2 * w * h);
    for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) {
      x[y * w + i] = 3; // channel 0: constant
      x[w * h + y * w + i] = i; // channel 1: ramp along x
    }
    const b = blurChw(x, chwShape([2, h, w]));
    for (let p = 0; p < w * h; p++) expect(b[p]).toBeCloseTo(3, 5);
    // inside (5 ≤ x ≤ w − 6) the symmetric kernel keeps the ramp
    for (let i = 5; i <= w - 6; i++) expect(b[w * h + 2 * w + i]).toBeCloseTo(i, 5);
    // at x = 0 the reflected ramp reads |k|: Σ w_k |k| = 2 Σ_{k=1..5} k e_k / sum
    const edge = (2 * (1 * e[1] + 2 * e[2] + 3 * e[3] + 4 * e[4] + 5 * e[5])) / sum;
    expect(b[w * h]).toBeCloseTo(edge, 5);
  });

  it('equals the definition (row sums, then column sums, float64, taps in order) bit for bit', () => {
    let a = 11;
    const next = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
    const mirror = (i: number, n: number) => (n === 1 ? 0 : i < 0 ? -i : i >= n ? 2 * n - 2 - i : i); // |offset| < n here
    for (const [c, h, w, taps] of [[3, 29, 37, 11], [2, 12, 8, 11], [1, 7, 30, 5], [1, 1, 6, 3]]) {
      const x = Float32Array.from({ length: c * h * w }, next);
      const k = blurKernel(taps, 2);
      const r = (taps - 1) / 2;
      const want = new Float32Array(x.length);
      for (let p = 0; p < c; p++) {
        const rows = new Float64Array(h * w);
        for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) {
          let s = 0;
          for (let t = 0; t < taps; t++) s += k[t] * x[p * h * w + y * w + mirror(i + t - r, w)];
          rows[y * w + i] = s;
        }
        for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) {
          let s = 0;
          for (let t = 0; t < taps; t++) s += k[t] * rows[mirror(y + t - r, h) * w + i];
          want[p * h * w + y * w + i] = s;
        }
      }
      expect(blurChw(x, chwShape([c, h, w]), taps, 2)).toEqual(want);
    }
  });

  it('spreads an impulse as the outer product of the kernel', () => {
    const n = 15;
    const x = new Float32Array(n * n);
    x[7 * n + 7] = 1;
    const b = blurChw(x, chwShape([1, n, n]));
    const k = blurKernel();
    for (let y = 0; y < n; y++) for (let i = 0; i < n; i++) {
      const dy = y - 7;
      const dx = i - 7;
      const want = Math.abs(dy) <= 5 && Math.abs(dx) <= 5 ? k[dy + 5] * k[dx + 5] : 0;
      expect(b[y * n + i]).toBeCloseTo(want, 7);
    }
  });
});
