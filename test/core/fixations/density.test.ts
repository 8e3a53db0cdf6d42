// Fixation points → fixation and density maps: pixel rounding, counting, the two blur paths,
// normalisation, visual angle.
import { describe, it, expect } from 'vitest';
import {
  densityMap, densityValues, fixationMap, fixationPixel, sigmaFromVisualAngle,
} from '../../../packages/core/src/fixations/density.js';
import { gaussianBlurValues } from '../../../packages/core/src/fixations/gaussian.js';
import type { Fixation } from '../../../packages/core/src/fixations/types.js';
import { expectAllClose, testRandom } from './helpers.js';

describe('fixationPixel (pixel i covers [i − 0.5, i + 0.5))', () => {
  it('rounds half up and keeps the map\'s edges', () => {
    expect(fixationPixel({ x: 0.49, y: 0 }, 800, 600)).toEqual([0, 0]);
    expect(fixationPixel({ x: 0.5, y: 1.5 }, 800, 600)).toEqual([1, 2]);
    expect(fixationPixel({ x: -0.5, y: -0.5 }, 800, 600)).toEqual([0, 0]);
    expect(fixationPixel({ x: 799.49, y: 599.2 }, 800, 600)).toEqual([799, 599]);
  });
  it('errors, drops or clamps outside the map, and always refuses non-finite points', () => {
    expect(() => fixationPixel({ x: -0.51, y: 3 }, 800, 600)).toThrow(/outside the 800×600 map/);
    expect(() => fixationPixel({ x: 799.5, y: 3 }, 800, 600)).toThrow(RangeError);
    expect(fixationPixel({ x: 900, y: 3 }, 800, 600, 'drop')).toBeNull();
    expect(fixationPixel({ x: 900, y: -20 }, 800, 600, 'clamp')).toEqual([799, 0]);
    expect(() => fixationPixel({ x: Number.NaN, y: 3 }, 800, 600, 'drop')).toThrow(/not a finite point/);
  });
});

describe('fixationMap', () => {
  it('counts fixations per pixel (two in one pixel count 2)', () => {
    const m = fixationMap([{ x: 1, y: 0 }, { x: 1.2, y: 0.3 }, { x: 2, y: 1 }, { x: 50, y: 50 }], 3, 2, { outOfBounds: 'drop' });
    expect([m.width, m.height]).toEqual([3, 2]);
    expect(Array.from(m.values)).toEqual([0, 2, 0, 0, 0, 1]);
  });
  it('refuses a non-integer size', () => {
    expect(() => fixationMap([], 2.5, 2)).toThrow(RangeError);
    expect(() => fixationMap([], 0, 2)).toThrow(RangeError);
  });
});

describe('densityMap', () => {
  const random = testRandom(7);
  const points = (n: number, w: number, h: number): Fixation[] =>
    Array.from({ length: n }, () => ({ x: random() * w - 0.5, y: random() * h - 0.5 }));

  for (const border of ['nearest', 'reflect', 'constant'] as const) {
    it(`splatting equals convolving the count map ('${border}', also with a kernel wider than the map)`, () => {
      for (const [w, h, sigma, n] of [[37, 23, 2.5, 40], [5, 4, 3, 6], [64, 48, 6, 300]] as const) {
        const f = points(n, w, h);
        const opts = { sigma, border, normalize: 'none' as const };
        const splat = densityValues(f, w, h, { ...opts, method: 'splat' });
        const conv = densityValues(f, w, h, { ...opts, method: 'convolve' });
        const direct = gaussianBlurValues(Float64Array.from(fixationMap(f, w, h).values), w, h, sigma, { border });
        expectAllClose(splat, conv, 1e-13);
        expectAllClose(conv, direct, 0);
        expect(Math.max(...splat)).toBeGreaterThan(0);
      }
    });
  }
  it('peaks at the fixation and keeps the unit mass of an interior fixation', () => {
    const d = densityValues([{ x: 20.2, y: 15.4 }], 41, 31, { sigma: 3, normalize: 'none' });
    const peak = d.indexOf(Math.max(...d));
    expect([peak % 41, Math.floor(peak / 41)]).toEqual([20, 15]);
    expect(Math.abs(d.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12); // 12 px from the edge > 4σ
  });
  it('normalises to sum 1 (default), max 1, or not at all; an empty map stays zero', () => {
    const f: Fixation[] = [{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 8, y: 5 }];
    const sum = densityMap(f, 10, 7, { sigma: 1.5 });
    expect(Math.abs(sum.values.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    const max = densityMap(f, 10, 7, { sigma: 1.5, normalize: 'max' });
    expect(Math.max(...max.values)).toBe(1);
    expect(max.values[1 * 10 + 1]).toBe(1); // two fixations there: the higher peak
    const none = densityMap(f, 10, 7, { sigma: 0, normalize: 'none' });
    expect(none.values[11]).toBe(2);
    expect(Array.from(densityMap([], 4, 3, { sigma: 2 }).values)).toEqual(new Array(12).fill(0));
  });
});

describe('sigmaFromVisualAngle', () => {
  it('is 2·d·tan(θ/2) in pixels', () => {
    // 57.29578 cm away, 1° spans 2·57.29578·tan(0.5°) = 1.0000254 cm; at 40 px/cm: 40.00102 px
    expect(sigmaFromVisualAngle(1, { screenWidthPx: 1600, screenWidthCm: 40, viewingDistanceCm: 57.29578 })).toBeCloseTo(40.00102, 4);
    // not linear in the angle: 2° spans tan(1°)/tan(0.5°) = 2.000152 times 1°
    const g = { screenWidthPx: 1920, screenWidthCm: 53, viewingDistanceCm: 70 };
    expect(sigmaFromVisualAngle(2, g) / sigmaFromVisualAngle(1, g)).toBeCloseTo(2.000152, 6);
  });
  it('refuses non-positive inputs', () => {
    expect(() => sigmaFromVisualAngle(0, { screenWidthPx: 1, screenWidthCm: 1, viewingDistanceCm: 1 })).toThrow(RangeError);
    expect(() => sigmaFromVisualAngle(1, { screenWidthPx: 1, screenWidthCm: -1, viewingDistanceCm: 1 })).toThrow(/screenWidthCm/);
  });
});
