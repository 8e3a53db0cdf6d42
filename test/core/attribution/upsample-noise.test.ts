// Guided Grad-CAM's nearest-neighbour upsampling (torch's legacy 'nearest': source = floor(i · in/out))
// worked by hand, and SmoothGrad's seeded Gaussian noise (moments, determinism, the polar method on
// seededRandom's uniforms, and noisy rows written in bulk equal to the numbers drawn one by one).
import { describe, it, expect } from 'vitest';
import { upsampleNearest } from '../../../packages/core/src/attribution/upsample.js';
import { NormalStream, seededNormal } from '../../../packages/core/src/attribution/noise.js';
import { seededRandom } from '../../../packages/core/src/metrics/random.js';

describe('nearest upsampling', () => {
  it('2×1 → 4×1 repeats each value twice; 3×1 → 4×1 reads floor(i·3/4) = 0, 0, 1, 2', () => {
    expect(Array.from(upsampleNearest(Float32Array.of(1, 2), 2, 1, 4, 1))).toEqual([1, 1, 2, 2]);
    expect(Array.from(upsampleNearest(Float32Array.of(1, 2, 3), 3, 1, 4, 1))).toEqual([1, 1, 2, 3]);
  });

  it('13 → 224 (SqueezeNet): output 17 reads 0, 18 reads 1 (18·13/224 = 1.045), 223 reads 12; rows likewise', () => {
    const src = Float32Array.from({ length: 13 * 13 }, (_, i) => i);
    const out = upsampleNearest(src, 13, 13, 224, 224);
    expect(out[17]).toBe(0);
    expect(out[18]).toBe(1);
    expect(out[223]).toBe(12);
    expect(out[18 * 224]).toBe(13);
    expect(out[223 * 224 + 223]).toBe(168);
    expect(() => upsampleNearest(src, 12, 13, 224, 224)).toThrow(RangeError);
  });
});

describe('seeded normal noise', () => {
  it('has mean ≈ 0 and variance ≈ 1 (200,000 draws: 5 standard errors), and repeats with its seed', () => {
    const normal = seededNormal(7);
    const N = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      const v = normal();
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / N)).toBeLessThanOrEqual(5 / Math.sqrt(N));
    expect(Math.abs(s2 / N - 1)).toBeLessThanOrEqual(5 * Math.sqrt(2 / N));
    const a = seededNormal(3);
    const b = seededNormal(3);
    const c = seededNormal(4);
    const A = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(A);
    expect(Array.from({ length: 5 }, c)).not.toEqual(A);
  });

  it("is Marsaglia's polar method on seededRandom's uniforms: pairs (u, v) = 2U − 1 until 0 < u² + v² < 1, then u·f and v·f with f = √(−2 ln q / q)", () => {
    for (const seed of [0, 5, 123456789]) {
      const uniform = seededRandom(seed);
      const expected: number[] = [];
      while (expected.length < 1000) {
        const u = 2 * uniform() - 1;
        const v = 2 * uniform() - 1;
        const q = u * u + v * v;
        if (q >= 1 || q === 0) continue;
        const f = Math.sqrt((-2 * Math.log(q)) / q);
        expected.push(u * f, v * f);
      }
      const normal = seededNormal(seed);
      expect(Array.from({ length: 1000 }, normal)).toEqual(expected);
    }
  });

  it('noisyCopy writes x + σ·N with the same N, in order, as next() draws — across rows of odd and even lengths (a pair split between rows)', () => {
    for (const seed of [1, 42]) {
      const bulk = new NormalStream(seed);
      const one = new NormalStream(seed);
      const sigma = 0.37;
      for (const length of [7, 1, 10, 0, 3, 224, 5]) {
        const x = Float32Array.from({ length }, (_, i) => (i % 11) / 3 - 1.5);
        const row = new Float32Array(length);
        bulk.noisyCopy(row, x, sigma);
        const expected = Float32Array.from(x, (v) => v + sigma * one.next());
        expect(Array.from(row)).toEqual(Array.from(expected));
      }
      // and the streams are still in step after the rows
      expect(bulk.next()).toBe(one.next());
    }
  });
});
