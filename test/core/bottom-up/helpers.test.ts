// Shared helpers of the bottom-up models: pyramid, resampling, blur, Gabor filters, N(·).
import { describe, it, expect } from 'vitest';
import { gaussianPyramid, pyramidSizes, reduce } from '../../../packages/core/src/bottom-up/pyramid.js';
import { resampleBilinear, resizeArea } from '../../../packages/core/src/bottom-up/resample.js';
import { gaussianBlur, gaussianKernel, mean3x3Circular } from '../../../packages/core/src/bottom-up/blur.js';
import { gaborEnergy, gaborKernel } from '../../../packages/core/src/bottom-up/gabor.js';
import { localMaxima, normalizeMap } from '../../../packages/core/src/bottom-up/normalization.js';
import { makePlane } from '../../../packages/core/src/bottom-up/plane.js';
import type { FloatMap } from '../../../packages/core/src/cam/types.js';

const plane = (width: number, height: number, f: (x: number, y: number) => number): FloatMap => {
  const p = makePlane(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) p.values[y * width + x] = f(x, y);
  return p;
};

describe('Gaussian pyramid', () => {
  it('halves sizes rounding up: 800×600 → … → 4×3 at level 8', () => {
    const sizes = pyramidSizes(800, 600, 8).map((s) => `${s.width}×${s.height}`);
    expect(sizes).toEqual(['800×600', '400×300', '200×150', '100×75', '50×38', '25×19', '13×10', '7×5', '4×3']);
    const levels = gaussianPyramid(makePlane(800, 600), 8);
    expect(levels.map((l) => `${l.width}×${l.height}`)).toEqual(sizes);
    expect(pyramidSizes(1, 1, 3).map((s) => s.width * s.height)).toEqual([1, 1, 1, 1]);
  });

  it('keeps a constant image constant (the filter sums to 1, borders mirrored)', () => {
    const levels = gaussianPyramid(plane(37, 23, () => 0.25), 5);
    for (const l of levels) for (const v of l.values) expect(v).toBeCloseTo(0.25, 6);
  });

  it('puts level-1 pixel i at input coordinate 2i + 0.5 (half-pixel centres)', () => {
    // [1 5 10 10 5 1]/32 over x = 2i−2 … 2i+3 of the ramp f(x) = x: Σ w_k (2i − 2 + k) = 2i + 16/32
    const out = reduce(plane(16, 3, (x) => x));
    for (let i = 1; i < 7; i++) expect(out.values[out.width + i]).toBeCloseTo(2 * i + 0.5, 6);
    // a vertical ramp the same way
    const col = reduce(plane(3, 16, (_x, y) => 3 * y));
    for (let i = 1; i < 7; i++) expect(col.values[i * col.width + 1]).toBeCloseTo(3 * (2 * i + 0.5), 5);
  });

  it('reduce then upsample by exactly 2^k returns a ramp to its place (interior)', () => {
    const ramp = plane(64, 4, (x) => x);
    const level2 = reduce(reduce(ramp));
    const back = resampleBilinear(level2, 64, 4, 4, 1);
    // (pixels within ~12 of the ends feel the mirrored border through the two filter passes)
    for (let x = 16; x < 48; x++) expect(back.values[x]).toBeCloseTo(x, 4);
  });
});

describe('resampling', () => {
  it('area-averages when shrinking, with fractional overlaps', () => {
    expect(Array.from(resizeArea(plane(4, 1, (x) => [1, 3, 5, 7][x]), 2, 1).values)).toEqual([2, 6]);
    // 3 → 2: each output covers 1.5 inputs: (a0 + a1/2)/1.5 and (a1/2 + a2)/1.5
    const out = resizeArea(plane(3, 1, (x) => [3, 6, 9][x]), 2, 1).values;
    expect(out[0]).toBeCloseTo((3 + 3) / 1.5, 5);
    expect(out[1]).toBeCloseTo((3 + 9) / 1.5, 5);
    expect(() => resizeArea(makePlane(2, 2), 3, 2)).toThrow(RangeError);
  });

  it('bilinear uses half-pixel centres and clamps at the edges', () => {
    // 2 → 4: src x = (d + .5)/2 − .5 = −.25, .25, .75, 1.25 → 0, ¼, ¾, 1 of the way
    expect(Array.from(resampleBilinear(plane(2, 1, (x) => 8 * x), 4, 1).values)).toEqual([0, 2, 6, 8]);
  });
});

describe('blur', () => {
  it('Gaussian kernel sums to 1 with radius ceil(3σ), and blurring keeps constants', () => {
    const k = gaussianKernel(2.5);
    expect(k.length).toBe(17);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[8] / k[9]).toBeCloseTo(Math.exp(1 / (2 * 6.25)), 10);
    for (const v of gaussianBlur(plane(9, 7, () => 3), 2.5).values) expect(v).toBeCloseTo(3, 5);
  });

  it('the circular 3×3 mean wraps around both axes', () => {
    const v = new Float64Array(16);
    v[0] = 9; // a spike at (0, 0) of a 4×4 array
    const m = mean3x3Circular(v, 4, 4);
    for (const [x, y] of [[0, 0], [1, 0], [3, 0], [0, 3], [3, 3], [1, 1]]) expect(m[y * 4 + x]).toBe(1);
    expect(m[2 * 4 + 2]).toBe(0);
  });
});

describe('Gabor filters', () => {
  it('are zero-mean and unit-norm (9×9)', () => {
    for (const theta of [0, 45, 90, 135]) for (const phase of [0, 90]) {
      const k = gaborKernel(theta, phase);
      expect(k.length).toBe(81);
      expect(Math.abs(k.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
      expect(k.reduce((a, b) => a + b * b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('prefer their orientation: a vertical grating drives 90°, a rising diagonal 45°', () => {
    const period = 7;
    const vertical = plane(40, 40, (x) => Math.cos((2 * Math.PI * x) / period));
    const at = (m: FloatMap) => m.values[20 * 40 + 20];
    const e90 = at(gaborEnergy(vertical, 90));
    expect(e90).toBeGreaterThan(10 * at(gaborEnergy(vertical, 0)));
    expect(e90).toBeGreaterThan(2 * at(gaborEnergy(vertical, 45)));
    // stripes along x − y = const... rising to the right on screen (y down) means constant x + y
    const rising = plane(40, 40, (x, y) => Math.cos((2 * Math.PI * (x + y)) / (period * Math.SQRT2)));
    expect(at(gaborEnergy(rising, 45))).toBeGreaterThan(10 * at(gaborEnergy(rising, 135)));
  });

  it('the quadrature energy hardly depends on where the pixel sits in the carrier', () => {
    const grating = plane(60, 20, (x) => Math.cos((2 * Math.PI * x) / 7));
    const e = gaborEnergy(grating, 90);
    const row = Array.from(e.values.subarray(10 * 60 + 15, 10 * 60 + 45));
    // max/min over a row is 1.10 (the mean removal and the 9×9 truncation make the pair not quite a
    // quadrature pair); the toolbox's |even| + |odd| swings by 1.49 on the same grating
    expect(Math.max(...row) / Math.min(...row)).toBeLessThan(1.12);
  });
});

describe('N(·) map normalisation', () => {
  it('by hand: peaks 8 and 4 → scaled to 10 and 5, mean of maxima 7.5, weight (10 − 7.5)² = 6.25', () => {
    const m = makePlane(5, 5);
    m.values[1 * 5 + 1] = 8;
    m.values[3 * 5 + 3] = 4;
    expect(localMaxima(normalizeMap(m), 1)).toMatchObject({ count: 2 });
    const n = normalizeMap(m);
    expect(n.values[6]).toBeCloseTo(62.5, 4);
    expect(n.values[18]).toBeCloseTo(31.25, 4);
    expect(n.values[0]).toBe(0);
  });

  it('one local maximum gets the full weight M² = 100; a flat map becomes zero', () => {
    const one = makePlane(5, 5);
    one.values[12] = 0.3;
    expect(normalizeMap(one).values[12]).toBeCloseTo(1000, 3);
    for (const v of normalizeMap(plane(6, 6, () => 2)).values) expect(v).toBe(0);
  });

  it('stretches rounding noise to full range unless it stays under the floor', () => {
    // 0.5 with 2 float32 ulps (1.2e-7) extra at one pixel
    const noisy = plane(8, 8, (x, y) => (x === 3 && y === 4 ? 0.5 + 1.2e-7 : 0.5));
    const max = (m: FloatMap) => m.values.reduce((a, b) => Math.max(a, b), 0);
    expect(max(normalizeMap(noisy))).toBeCloseTo(1000, 6); // N(·) alone is blind to scale: a lone peak
    expect(max(normalizeMap(noisy, 1e-5))).toBe(0);
  });

  it('promotes a map with one strong peak over one with many equal peaks', () => {
    const bump = (cx: number, cy: number) => (x: number, y: number) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
    const single = plane(48, 48, (x, y) => bump(30, 17)(x, y) + 0.02 * Math.sin(x * 0.7) * Math.cos(y * 0.5));
    const many = plane(48, 48, (x, y) => {
      let s = 0;
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += bump(6 + 12 * i, 6 + 12 * j)(x, y);
      return s;
    });
    const ns = normalizeMap(single);
    const nm = normalizeMap(many);
    const max = (m: FloatMap) => m.values.reduce((a, b) => Math.max(a, b), 0);
    // single: one maximum above the threshold → 10 · 100; many: 16 maxima ≈ 10 → (10 − 10)² ≈ 0
    expect(max(ns)).toBeCloseTo(1000, 0);
    expect(max(nm)).toBeLessThan(1e-3 * max(ns));
    // before N both had the same range; the sum is dominated by the single peak
    const sum = makePlane(48, 48);
    for (let i = 0; i < sum.values.length; i++) sum.values[i] = ns.values[i] + nm.values[i];
    let best = 0;
    for (let i = 1; i < sum.values.length; i++) if (sum.values[i] > sum.values[best]) best = i;
    expect([best % 48, Math.floor(best / 48)]).toEqual([30, 17]);
  });
});
