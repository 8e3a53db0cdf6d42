// The DFT wrapper (fft.js for powers of two, Bluestein for other lengths) against the definition.
import { describe, it, expect } from 'vitest';
import { Dft, dft2d } from '../../../packages/core/src/bottom-up/fft.js';

/** X_k = Σ_j x_j exp(−2πi jk/n), straight from the definition. */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>): [Float64Array, Float64Array] {
  const n = re.length;
  const xr = new Float64Array(n);
  const xi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      xr[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      xi[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return [xr, xi];
}

/** Deterministic pseudo-random numbers in [−1, 1). */
function noise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('Dft (1-D, any length)', () => {
  it('matches the definition for every length 1..70 (powers of two and Bluestein)', () => {
    for (let n = 1; n <= 70; n++) {
      const re = noise(n, n);
      const im = noise(n, 1000 + n);
      const [xr, xi] = naiveDft(re, im);
      const r = re.slice();
      const i = im.slice();
      new Dft(n).forward(r, i);
      // sums of n terms of size ≤ 1: 1e-9 is ~1e5 ulps of headroom, far below any real error
      expect(maxDiff(r, xr), `n=${n} re`).toBeLessThan(1e-9);
      expect(maxDiff(i, xi), `n=${n} im`).toBeLessThan(1e-9);
    }
  });

  it('gives the textbook transforms: impulse → all ones, constant → n at DC', () => {
    for (const n of [8, 12, 48]) {
      const re = new Float64Array(n);
      const im = new Float64Array(n);
      re[0] = 1;
      new Dft(n).forward(re, im);
      expect(maxDiff(re, new Float64Array(n).fill(1))).toBeLessThan(1e-12);
      expect(maxDiff(im, new Float64Array(n))).toBeLessThan(1e-12);
      const c = new Float64Array(n).fill(2);
      const ci = new Float64Array(n);
      new Dft(n).forward(c, ci);
      expect(c[0]).toBeCloseTo(2 * n, 10);
      expect(maxDiff(c.subarray(1), new Float64Array(n - 1))).toBeLessThan(1e-12);
    }
  });

  it('round-trips: inverse(forward(x)) = x (the inverse divides by n)', () => {
    for (const n of [1, 2, 3, 7, 48, 64, 100, 257]) {
      const re = noise(n, 7 * n);
      const im = noise(n, 9 * n);
      const r = re.slice();
      const i = im.slice();
      const dft = new Dft(n);
      dft.forward(r, i);
      dft.inverse(r, i);
      expect(maxDiff(r, re), `n=${n}`).toBeLessThan(1e-12);
      expect(maxDiff(i, im), `n=${n}`).toBeLessThan(1e-12);
    }
  });

  it('works on strided data (a column of a row-major array) without touching the rest', () => {
    const width = 5;
    const height = 12;
    const re = noise(width * height, 3);
    const im = noise(width * height, 4);
    const col = 2;
    const [xr, xi] = naiveDft(Array.from({ length: height }, (_, y) => re[y * width + col]), Array.from({ length: height }, (_, y) => im[y * width + col]));
    const r = re.slice();
    const i = im.slice();
    new Dft(height).forward(r, i, col, width);
    for (let y = 0; y < height; y++) {
      expect(r[y * width + col]).toBeCloseTo(xr[y], 10);
      expect(i[y * width + col]).toBeCloseTo(xi[y], 10);
      for (let x = 0; x < width; x++) if (x !== col) expect(r[y * width + x]).toBe(re[y * width + x]);
    }
  });

  it('rejects lengths that are not positive integers', () => {
    expect(() => new Dft(0)).toThrow(RangeError);
    expect(() => new Dft(2.5)).toThrow(RangeError);
  });
});

describe('dft2d', () => {
  it('matches the 2-D definition on a 6×5 array', () => {
    const w = 6;
    const h = 5;
    const re = noise(w * h, 11);
    const im = noise(w * h, 12);
    const er = new Float64Array(w * h);
    const ei = new Float64Array(w * h);
    for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const a = -2 * Math.PI * ((u * x) / w + (v * y) / h);
        const p = y * w + x;
        er[v * w + u] += re[p] * Math.cos(a) - im[p] * Math.sin(a);
        ei[v * w + u] += re[p] * Math.sin(a) + im[p] * Math.cos(a);
      }
    }
    const r = re.slice();
    const i = im.slice();
    dft2d(r, i, w, h);
    expect(maxDiff(r, er)).toBeLessThan(1e-10);
    expect(maxDiff(i, ei)).toBeLessThan(1e-10);
  });

  it('round-trips a 64×48 image (the spectral-residual working size) and keeps Parseval', () => {
    const w = 64;
    const h = 48;
    const re = noise(w * h, 5);
    const im = new Float64Array(w * h);
    const r = re.slice();
    const i = im.slice();
    dft2d(r, i, w, h);
    let energy = 0;
    let spectral = 0;
    for (let k = 0; k < w * h; k++) {
      energy += re[k] ** 2;
      spectral += r[k] ** 2 + i[k] ** 2;
    }
    expect(spectral / (w * h) / energy).toBeCloseTo(1, 12);
    dft2d(r, i, w, h, true);
    expect(maxDiff(r, re)).toBeLessThan(1e-12);
    expect(maxDiff(i, im)).toBeLessThan(1e-12);
  });

  it('rejects mismatched sizes', () => {
    expect(() => dft2d(new Float64Array(6), new Float64Array(6), 4, 2)).toThrow(RangeError);
  });
});
