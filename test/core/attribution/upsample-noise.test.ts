// Guided Grad-CAM's nearest-neighbour upsampling (torch's legacy 'nearest': source = floor(i · in/out))
// worked by hand, and SmoothGrad's seeded Gaussian noise (moments, determinism).
import { describe, it, expect } from 'vitest';
import { upsampleNearest } from '../../../packages/core/src/attribution/upsample.js';
import { seededNormal } from '../../../packages/core/src/attribution/noise.js';

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
});
