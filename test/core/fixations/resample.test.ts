// resampleMap = scipy.ndimage.zoom(map, [h'/h, w'/w], order=1, mode='nearest') (pysaliency's resizing).
import { describe, it, expect } from 'vitest';
import { resampleMap } from '../../../packages/core/src/fixations/resample.js';
import { expectAllClose, floatMap } from './helpers.js';

// python: a = np.array([[0., 1., 4.], [2., 3., 8.]]); zoom(a, [4/2, 5/3], order=1, mode='nearest')
const SCIPY_UP = [0.0, 0.5, 1.0, 2.5, 4.0, 0.6666666666666665, 1.1666666666666665, 1.6666666666666665, 3.5, 5.333333333333333,
  1.3333333333333333, 1.8333333333333333, 2.3333333333333335, 4.5, 6.666666666666666, 2.0, 2.5, 3.0, 5.5, 8.0];

describe('resampleMap', () => {
  const a = floatMap(3, 2, [0, 1, 4, 2, 3, 8]);
  it('upsamples as scipy.ndimage.zoom(order=1): corners aligned, bilinear', () => {
    const r = resampleMap(a, 5, 4);
    expect([r.width, r.height]).toEqual([5, 4]);
    expectAllClose(r.values, SCIPY_UP, 1e-7);
  });
  it('downsamples without antialiasing; a 1-pixel axis samples the first pixel', () => {
    // zoom(a, [1/2, 2/3], order=1) → [[0., 4.]]
    expect(Array.from(resampleMap(a, 2, 1).values)).toEqual([0, 4]);
    expect(Array.from(resampleMap(a, 1, 1).values)).toEqual([0]);
  });
  it('returns the map itself at its own size and refuses bad sizes', () => {
    expect(resampleMap(a, 3, 2)).toBe(a);
    expect(() => resampleMap(a, 0, 2)).toThrow(RangeError);
    expect(() => resampleMap(floatMap(3, 3, [1, 2]), 2, 2)).toThrow(RangeError);
  });
});
