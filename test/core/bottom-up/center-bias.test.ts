// The centre-bias baseline: Clarke & Tatler's (2014) anisotropic Gaussian.
import { describe, it, expect } from 'vitest';
import { centerBias, centerBiasSigmas } from '../../../packages/core/src/bottom-up/center-bias.js';
import { argmax } from './stimuli.js';

describe('centerBias', () => {
  it('uses σx² = 0.22 and σy² = 0.45·0.22 in units of half the width: 187.6 and 125.9 px at 800×600', () => {
    const { sigmaX, sigmaY } = centerBiasSigmas(800, 600);
    expect(sigmaX).toBeCloseTo(Math.sqrt(0.22) * 400, 9);
    expect(sigmaY).toBeCloseTo(Math.sqrt(0.099) * 400, 9);
    expect(sigmaX).toBeCloseTo(187.617, 3);
    expect(sigmaY).toBeCloseTo(125.857, 3);
    // overrides are fractions of the width and the height
    expect(centerBiasSigmas(800, 600, { sigmaX: 0.25, sigmaY: 0.5 })).toEqual({ sigmaX: 200, sigmaY: 300 });
    expect(() => centerBiasSigmas(800, 600, { sigmaX: 0 })).toThrow(RangeError);
  });

  it('is 1 at the centre pixel of an odd-sized image and e^(−½) one sigma away', () => {
    const map = centerBias({ width: 101, height: 61 }, { sigmaX: 0.2, sigmaY: 0.1 }); // σ = 20.2 px, 6.1 px
    expect(argmax(map)).toEqual({ x: 50, y: 30, value: 1 });
    expect(map.values[30 * 101 + 50]).toBe(1);
    // 20 px right: exp(−20²/(2·20.2²)); 6 px down: exp(−6²/(2·6.1²))
    expect(map.values[30 * 101 + 70]).toBeCloseTo(Math.exp(-400 / (2 * 20.2 ** 2)), 6);
    expect(map.values[36 * 101 + 50]).toBeCloseTo(Math.exp(-36 / (2 * 6.1 ** 2)), 6);
  });

  it('on an 800×600 image: centred between the four middle pixels, wider than tall', () => {
    const map = centerBias({ width: 800, height: 600 });
    expect([map.width, map.height]).toEqual([800, 600]);
    const at = (x: number, y: number) => map.values[y * 800 + x];
    // centre (399.5, 299.5): the four middle pixels tie for the maximum
    for (const [x, y] of [[399, 299], [400, 299], [399, 300], [400, 300]]) expect(at(x, y)).toBeCloseTo(Math.exp(-0.25 / (2 * 187.617 ** 2) - 0.25 / (2 * 125.857 ** 2)), 6);
    // 187.5 px right of the centre (pixel 587): exp(−187.5²/(2·187.617²)) = 0.6069
    expect(at(587, 299) / at(399, 299)).toBeCloseTo(0.6069, 4);
    // the same distance down falls further: the blob is wider than tall
    expect(at(399, 299 + 188) / at(399, 299)).toBeLessThan(0.35);
  });

  it('is symmetric left-right and top-bottom', () => {
    for (const [w, h] of [[64, 48], [33, 20]]) {
      const map = centerBias({ width: w, height: h });
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const v = map.values[y * w + x];
        expect(map.values[y * w + (w - 1 - x)]).toBeCloseTo(v, 12);
        expect(map.values[(h - 1 - y) * w + x]).toBeCloseTo(v, 12);
      }
    }
  });

  it('takes an RgbImage as well (only its size counts)', () => {
    const img = { data: new Uint8Array(12 * 9 * 4), width: 12, height: 9, channels: 4 as const };
    expect(Array.from(centerBias(img).values)).toEqual(Array.from(centerBias({ width: 12, height: 9 }).values));
  });
});
