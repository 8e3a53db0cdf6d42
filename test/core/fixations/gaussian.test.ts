// The Gaussian blur against scipy.ndimage.gaussian_filter (values printed by scipy 1.17.1, the
// snippet is next to them) and against what a Gaussian blur must do.
import { describe, it, expect } from 'vitest';
import {
  borderIndex, gaussianBlur, gaussianBlurValues, gaussianKernel, gaussianRadius,
} from '../../../packages/core/src/fixations/gaussian.js';
import { expectAllClose, floatMap } from './helpers.js';

// python: from scipy.ndimage import gaussian_filter, _filters
//   _filters._gaussian_kernel1d(1.2, 0, 5)
const SCIPY_KERNEL_1_2 = [5.646931637206628e-05, 0.0012852357166314, 0.01460695367074162, 0.08289782333300187, 0.23492715137221082,
  0.33245273318208446, 0.23492715137221082, 0.08289782333300187, 0.01460695367074162, 0.0012852357166314, 5.646931637206628e-05];

// m = np.zeros((3, 4)); m[0, 0] = 1; m[2, 1] = 2; gaussian_filter(m, 1.2, mode=mode, truncate=4.0)
// (radius 5 > the map's 3 rows and 4 columns: 'reflect' reflects several times)
const IMPULSES = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0];
const SCIPY_BLUR: Record<'nearest' | 'reflect' | 'constant', number[]> = {
  nearest: [0.4903010164372165, 0.28809236128704113, 0.11229757747376339, 0.027013733350138673, 0.3791937728497785, 0.3333327517408636,
    0.18981732725893635, 0.06066145715464822, 0.37888345752223224, 0.47596990244142096, 0.3227999519556245, 0.11203390008097386],
  reflect: [0.3940327489008584, 0.25906928300562715, 0.10922281779344914, 0.03190543695296563, 0.3839670377325374, 0.32301496401057544,
    0.18274095449219807, 0.06777708297933761, 0.4250300473313249, 0.42997304002740633, 0.28059271964541554, 0.11267386712830432],
  constant: [0.1494747187813961, 0.13322138945617687, 0.06650950692305989, 0.01860021989800131, 0.18848370647609608, 0.2113951135966072,
    0.12985648239430223, 0.04238146899725102, 0.18376395508664758, 0.24052458909105542, 0.16307639625809514, 0.056330100548634576],
};

describe('gaussianKernel / gaussianRadius (scipy: radius = int(4σ + 0.5), weights normalised)', () => {
  it('equals scipy\'s kernel for σ = 1.2', () => {
    expectAllClose(gaussianKernel(1.2), SCIPY_KERNEL_1_2, 1e-15);
  });
  it('has radius ⌊4σ + 0.5⌋ and sums to 1', () => {
    expect(gaussianRadius(24)).toBe(96); // OSIE's σ: 193 taps
    expect(gaussianRadius(1.2)).toBe(5);
    expect(gaussianRadius(0.1)).toBe(0);
    expect(gaussianRadius(2, 3)).toBe(6);
    const w = gaussianKernel(24);
    expect(w.length).toBe(193);
    expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
  });
  it('refuses negative or non-finite sigmas', () => {
    expect(() => gaussianKernel(-1)).toThrow(RangeError);
    expect(() => gaussianKernel(Number.NaN)).toThrow(RangeError);
    expect(() => gaussianKernel(1, 0)).toThrow(RangeError);
  });
});

describe('borderIndex (scipy.ndimage mode names)', () => {
  it('nearest repeats the edge, reflect is half-sample symmetric and periodic, constant pads zeros', () => {
    const n = 3;
    const at = (mode: 'nearest' | 'reflect' | 'constant') => [-7, -4, -3, -1, 0, 2, 3, 5, 6, 8].map((i) => borderIndex(i, n, mode));
    expect(at('nearest')).toEqual([0, 0, 0, 0, 0, 2, 2, 2, 2, 2]);
    // reflect: … 2 1 0 | 0 1 2 | 2 1 0 | 0 1 2 …: −1 → 0, −3 → 2, −4 → 2, −7 → 0(−7 ≡ 5 mod 6 → 0)
    expect(at('reflect')).toEqual([0, 2, 2, 0, 0, 2, 2, 0, 0, 2]);
    expect(at('constant')).toEqual([-1, -1, -1, -1, 0, 2, -1, -1, -1, -1]);
    expect(() => borderIndex(-1, 3, 'wrap' as never)).toThrow(RangeError);
  });
});

describe('gaussianBlur', () => {
  for (const mode of ['nearest', 'reflect', 'constant'] as const) {
    it(`equals scipy.ndimage.gaussian_filter(mode='${mode}') on a 4×3 map with a kernel wider than the map`, () => {
      expectAllClose(gaussianBlurValues(Float64Array.from(IMPULSES), 4, 3, 1.2, { border: mode }), SCIPY_BLUR[mode], 1e-14);
      expectAllClose(gaussianBlur(floatMap(4, 3, IMPULSES), 1.2, { border: mode }).values, SCIPY_BLUR[mode], 1e-7);
    });
  }
  it('spreads an interior impulse into the outer product of the kernel, keeping its mass', () => {
    const w = 21;
    const v = new Float64Array(w * w);
    v[10 * w + 10] = 1;
    const out = gaussianBlurValues(v, w, w, 1.5);
    const k = gaussianKernel(1.5); // radius 6
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const dx = x - 10 + 6;
        const dy = y - 10 + 6;
        const expected = dx >= 0 && dx < k.length && dy >= 0 && dy < k.length ? k[dx] * k[dy] : 0;
        expect(Math.abs(out[y * w + x] - expected)).toBeLessThan(1e-16);
      }
    }
    expect(Math.abs(out.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
  });
  it('keeps a constant map constant except with zero padding', () => {
    const c = new Float64Array(30).fill(2);
    expectAllClose(gaussianBlurValues(c, 6, 5, 2, { border: 'nearest' }), c, 1e-14);
    expectAllClose(gaussianBlurValues(c, 6, 5, 2, { border: 'reflect' }), c, 1e-14);
    expect(gaussianBlurValues(c, 6, 5, 2, { border: 'constant' })[0]).toBeLessThan(1.5);
  });
  it('returns a copy for σ = 0 and refuses a wrong value count', () => {
    const m = floatMap(2, 2, [1, 2, 3, 4]);
    const out = gaussianBlur(m, 0);
    expect(Array.from(out.values)).toEqual([1, 2, 3, 4]);
    expect(out.values).not.toBe(m.values);
    expect(() => gaussianBlurValues(new Float64Array(5), 2, 2, 1)).toThrow(RangeError);
  });
});
