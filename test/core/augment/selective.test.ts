// core/augment: the study's selection (numpy's linear percentile, strictly above), the gate, erasing,
// pasting an inpainter's result through the mask, mask dilation and the VOC-style label matching of
// the accuracy table — all on hand-worked cases.
import { describe, it, expect } from 'vitest';
import {
  AugmentError, boxIou, dilateMask, eraseImage, fillColour, gatePasses, matchDetections, numpyPercentile, pasteMasked, topPercentMask,
} from '../../../packages/core/src/augment/selective.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';

const map = (values: number[], width = values.length, height = 1) => ({ width, height, values: Float32Array.from(values) });
const ones = (m: Uint8Array) => [...m].flatMap((v, i) => (v ? [i] : []));

describe('numpyPercentile', () => {
  it('is numpy.percentile with the linear method', () => {
    // np.percentile([1, 2, 3, 4], 50) = 2.5; 25 → 1.75; 100 → 4; 0 → 1
    expect(numpyPercentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(numpyPercentile([1, 2, 3, 4], 25)).toBe(1.75);
    expect(numpyPercentile([1, 2, 3, 4], 100)).toBe(4);
    expect(numpyPercentile([1, 2, 3, 4], 0)).toBe(1);
    // np.percentile(np.arange(100), 97.5) = 96.52499999999999 (h = 0.975 · 99 in floats), bit for bit
    expect(numpyPercentile(Array.from({ length: 100 }, (_, i) => i), 97.5)).toBe(96.52499999999999);
    expect(numpyPercentile([1, 2, 3, 4], 70)).toBe(3.0999999999999996);
    expect(numpyPercentile([7], 97.5)).toBe(7);
  });
  it('refuses empty maps, NaN and q outside [0, 100]', () => {
    expect(() => numpyPercentile([], 50)).toThrow(AugmentError);
    expect(() => numpyPercentile([1, NaN], 50)).toThrow(/NaN/);
    expect(() => numpyPercentile([1, 2], 101)).toThrow(/\[0, 100\]/);
  });
});

describe('topPercentMask (the study\'s erase_black rule: values > np.percentile(values, 100 − p))', () => {
  it('takes the top 2.5 % of a ramp: 0..99 → threshold 96.525 → pixels 97, 98, 99', () => {
    const ramp = map(Array.from({ length: 100 }, (_, i) => i), 10, 10);
    const s = topPercentMask(ramp, 2.5);
    expect(s.threshold).toBe(96.52499999999999);
    expect(ones(s.mask)).toEqual([97, 98, 99]);
    expect(s.count).toBe(3);
  });
  it('takes exactly k of N when the percentile falls on a sample: 0..40, top 5 % → 2 pixels', () => {
    // N = 41, q = 95: h = 40 · 0.95 = 38 exactly → threshold 38 → 39 and 40 (38 itself stays)
    const s = topPercentMask(map(Array.from({ length: 41 }, (_, i) => i)), 5);
    expect(s.threshold).toBe(38);
    expect(ones(s.mask)).toEqual([39, 40]);
  });
  it('keeps ties at the threshold: a plateau of the maximum wider than p % is not erased', () => {
    // 100 pixels, 5 of them 1, the rest 0: the 97.5th percentile is 1, nothing is strictly above it
    const v = new Array(100).fill(0);
    for (const i of [3, 20, 50, 70, 99]) v[i] = 1;
    const s = topPercentMask(map(v, 10, 10), 2.5);
    expect(s.threshold).toBe(1);
    expect(s.count).toBe(0);
  });
  it('takes a narrower top: 2 maxima among 100 zeros-and-halves', () => {
    // sorted: 0 × 90, 0.5 × 8, 1 × 2; h = 96.525 → a[96] = a[97] = 0.5 → threshold 0.5 → only the two 1s
    const v = new Array(100).fill(0);
    for (let i = 90; i < 98; i++) v[i] = 0.5;
    v[98] = 1;
    v[5] = 1;
    const s = topPercentMask(map(v, 10, 10), 2.5);
    expect(s.threshold).toBe(0.5);
    expect(ones(s.mask)).toEqual([5, 98]);
  });
  it('erases only the non-zero pixels of a map that is mostly zero, never the zero floor', () => {
    const v = new Array(200).fill(0);
    v[7] = 0.2;
    const s = topPercentMask(map(v, 20, 10), 2.5);
    expect(s.threshold).toBe(0);
    expect(ones(s.mask)).toEqual([7]);
  });
  it('interpolates between samples: 4 values, top 30 % → threshold 3.1 → only the 4', () => {
    // np.percentile([1, 2, 3, 4], 70): h = 2.1 → 3 + 0.1 · 1 = 3.1 (numpy's lerp: t < 0.5, from below)
    const s = topPercentMask(map([4, 1, 3, 2]), 30);
    expect(s.threshold).toBe(3.0999999999999996);
    expect(ones(s.mask)).toEqual([0]);
  });
  it('p = 100 takes everything above the minimum; bad p is refused', () => {
    expect(ones(topPercentMask(map([2, 1, 3]), 100).mask)).toEqual([0, 2]);
    for (const p of [0, -1, 100.5, NaN, Infinity]) expect(() => topPercentMask(map([1, 2]), p)).toThrow(/percentage/);
    expect(() => topPercentMask({ width: 2, height: 2, values: Float32Array.from([1, 2, 3]) }, 2.5)).toThrow(/needs 4/);
  });
});

describe('gatePasses', () => {
  it('MAE: augments strictly above the threshold', () => {
    const g = { kind: 'mae', threshold: 0.1 } as const;
    expect(gatePasses(g, { mae: 0.1, iou: 0 })).toBe(false);
    expect(gatePasses(g, { mae: 0.1000001, iou: 1 })).toBe(true);
    expect(gatePasses(g, { mae: 0.05, iou: 0 })).toBe(false);
  });
  it('IoU (the study notebook\'s `iou <= 0.1`): augments at or below the threshold', () => {
    const g = { kind: 'iou', threshold: 0.1 } as const;
    expect(gatePasses(g, { mae: 0, iou: 0.1 })).toBe(true);
    expect(gatePasses(g, { mae: 1, iou: 0.1000001 })).toBe(false);
  });
});

function image(width: number, height: number, channels: 3 | 4 = 3): RgbImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 251;
  return { data, width, height, channels };
}

describe('eraseImage', () => {
  it('sets exactly the masked pixels to the fill and leaves every other byte as it was', () => {
    const img = image(5, 4);
    const before = Uint8Array.from(img.data);
    const mask = new Uint8Array(20);
    mask[0] = mask[7] = mask[19] = 1;
    for (const [fill, rgb] of [['black', [0, 0, 0]], ['mean', [124, 116, 104]], [[1, 2, 3], [1, 2, 3]]] as const) {
      const out = eraseImage(img, mask, fill);
      for (let i = 0; i < 20; i++) {
        const px = [...out.data.subarray(i * 3, i * 3 + 3)];
        expect(px).toEqual(mask[i] ? [...rgb] : [...before.subarray(i * 3, i * 3 + 3)]);
      }
    }
    expect(img.data).toEqual(before); // the input is not modified
  });
  it('keeps alpha of RGBA images', () => {
    const img = image(2, 1, 4);
    const out = eraseImage(img, Uint8Array.from([1, 0]), 'black');
    expect([...out.data]).toEqual([0, 0, 0, img.data[3], ...img.data.subarray(4, 8)]);
  });
  it('refuses a mask of another size and bad colours', () => {
    expect(() => eraseImage(image(2, 2), new Uint8Array(3))).toThrow(/mask has 3 pixels/);
    expect(() => fillColour([256, 0, 0])).toThrow(/0\.\.255/);
    expect(() => fillColour([1.5, 0, 0])).toThrow(/0\.\.255/);
  });
});

describe('pasteMasked and dilateMask', () => {
  it('takes the inpainter\'s pixels inside the mask only', () => {
    const img = image(3, 2);
    const filled: RgbImage = { data: new Uint8Array(18).fill(200), width: 3, height: 2, channels: 3 };
    const mask = Uint8Array.from([0, 1, 0, 0, 0, 1]);
    const out = pasteMasked(img, filled, mask);
    for (let i = 0; i < 6; i++) {
      expect([...out.data.subarray(i * 3, i * 3 + 3)]).toEqual(mask[i] ? [200, 200, 200] : [...img.data.subarray(i * 3, i * 3 + 3)]);
    }
    expect(() => pasteMasked(img, { ...filled, width: 2 }, mask)).toThrow(/3×2/);
  });
  it('grows a mask by a Chebyshev radius, clipped at the borders', () => {
    const m = new Uint8Array(25);
    m[0] = 1; // corner
    m[12] = 1; // centre
    const d = dilateMask(m, 5, 5, 1);
    expect(ones(d)).toEqual([0, 1, 5, 6, 7, 8, 11, 12, 13, 16, 17, 18]);
    expect(ones(dilateMask(m, 5, 5, 0))).toEqual([0, 12]);
    expect(dilateMask(m, 5, 5, 2).every((v) => v === 1)).toBe(true);
  });
});

describe('label matching (the accuracy table)', () => {
  it('boxIou', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(boxIou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(boxIou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });
  it('matches each label once, same class, IoU ≥ 0.5, best scores first', () => {
    const labels = [{ classIndex: 1, box: [0, 0, 10, 10] }, { classIndex: 2, box: [20, 20, 30, 30] }, { classIndex: 1, box: [40, 0, 50, 10] }];
    const dets = [
      { classIndex: 1, score: 0.9, box: [0, 0, 10, 9] }, // label 0 (IoU 0.9)
      { classIndex: 1, score: 0.8, box: [0, 0, 10, 10] }, // label 0 taken: nothing left of class 1 near → unmatched
      { classIndex: 3, score: 0.7, box: [20, 20, 30, 30] }, // wrong class
      { classIndex: 1, score: 0.6, box: [44, 0, 54, 10] }, // IoU 60/140 < 0.5 with label 2
    ];
    expect(matchDetections(labels, dets)).toEqual({ matched: 1, scores: [0.9] });
    expect(matchDetections(labels, [{ classIndex: 2, score: 0.4, box: [20, 20, 30, 30] }, ...dets])).toEqual({ matched: 2, scores: [0.9, 0.4] });
    expect(matchDetections([], dets)).toEqual({ matched: 0, scores: [] });
  });
});
