// Image → tensor: channel order, normalisation, NCHW layout and the two resize rules, worked by hand.
import { describe, it, expect } from 'vitest';
import { preprocess, resizeForModel, toTensor } from '../../../packages/core/src/image/preprocess.js';
import type { InputSpec } from '../../../packages/core/src/model/spec.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';

const spec = (over: Partial<InputSpec>): InputSpec => ({
  name: 'x', height: 1, width: 2, layout: 'NCHW', channelOrder: 'RGB', scale: 1,
  mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', ...over,
});
// 2×1 image: (10, 20, 30), (40, 50, 60)
const img: RgbImage = { data: Uint8Array.from([10, 20, 30, 40, 50, 60]), width: 2, height: 1, channels: 3 };

/** A gray image from rows of values. */
const gray = (rows: number[][]): RgbImage => ({
  data: Uint8Array.from(rows.flat().flatMap((v) => [v, v, v])), width: rows[0].length, height: rows.length, channels: 3,
});
const grayRows = (out: RgbImage) => Array.from({ length: out.height }, (_, y) => Array.from({ length: out.width }, (_, x) => out.data[(y * out.width + x) * 3]));

describe('toTensor', () => {
  it('lays out NCHW and normalises (pixel·scale − mean)/std per channel', () => {
    const t = toTensor(img, spec({ mean: [1, 2, 3], std: [1, 2, 4] }));
    // R plane (10−1, 40−1), G plane ((20−2)/2, (50−2)/2), B plane ((30−3)/4, (60−3)/4)
    expect(Array.from(t)).toEqual([9, 39, 9, 24, 6.75, 14.25]);
  });

  it('reverses the channels for BGR models, with mean and std in the tensor order', () => {
    const t = toTensor(img, spec({ channelOrder: 'BGR', mean: [30, 20, 10], std: [1, 2, 5] }));
    // B plane (30−30, 60−30), G plane ((20−20)/2, (50−20)/2), R plane ((10−10)/5, (40−10)/5)
    expect(Array.from(t)).toEqual([0, 30, 0, 15, 0, 6]);
  });

  it('scales 0-255 pixels for 0-1 models', () => {
    const t = toTensor(img, spec({ scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
    expect(t[0]).toBeCloseTo((10 / 255 - 0.5) / 0.5, 6);
    expect(t[1]).toBeCloseTo((40 / 255 - 0.5) / 0.5, 6);
    expect(t[5]).toBeCloseTo((60 / 255 - 0.5) / 0.5, 6);
    const imagenet = toTensor(img, spec({ scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }));
    expect(imagenet[2]).toBeCloseTo((20 / 255 - 0.456) / 0.224, 6);
  });

  it('ignores alpha and refuses an image of the wrong size', () => {
    const rgba: RgbImage = { data: Uint8Array.from([10, 20, 30, 255, 40, 50, 60, 0]), width: 2, height: 1, channels: 4 };
    expect(Array.from(toTensor(rgba, spec({})))).toEqual(Array.from(toTensor(img, spec({}))));
    expect(() => toTensor(img, spec({ width: 3 }))).toThrow(/takes 3×1/);
    expect(() => toTensor({ ...img, data: new Uint8Array(5) }, spec({}))).toThrow(/needs 6/);
  });
});

describe('resizeForModel', () => {
  const column = (values: number[]) => gray(values.map((v) => [v, v]));

  it('stretch: Pillow bilinear to width × height, a copy when the size already fits', () => {
    // 2 → 4 columns: taps (1), (¾, ¼), (¼, ¾), (1); 1 → 2 rows: a copy of the row
    const out = resizeForModel(gray([[0, 100]]), spec({ width: 4, height: 2 }));
    expect(grayRows(out)).toEqual([[0, 25, 75, 100], [0, 25, 75, 100]]);
    const same = resizeForModel(img, spec({}));
    expect(Array.from(same.data)).toEqual(Array.from(img.data));
    expect(same.data).not.toBe(img.data);
  });

  it('drops alpha before resizing', () => {
    const rgba: RgbImage = { data: Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 9]), width: 2, height: 1, channels: 4 };
    const out = resizeForModel(rgba, spec({}));
    expect(out.channels).toBe(3);
    expect(Array.from(out.data)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('shorter-crop: centred crop with Python rounding (halves to even)', () => {
    const s = spec({ width: 2, height: 2, resize: 'shorter-crop', resizeShorter: 2 });
    // 2×3 needs no resize; top = round(½) = 0
    expect(grayRows(resizeForModel(column([1, 2, 3]), s)).map((r) => r[0])).toEqual([1, 2]);
    // 2×4 → top = round(1) = 1
    expect(grayRows(resizeForModel(column([1, 2, 3, 4]), s)).map((r) => r[0])).toEqual([2, 3]);
    // 2×5 → top = round(3/2) = 2
    expect(grayRows(resizeForModel(column([1, 2, 3, 4, 5]), s)).map((r) => r[0])).toEqual([3, 4]);
  });

  it('shorter-crop: Resize(int) keeps the aspect ratio, the long side truncated, then crops', () => {
    const s = spec({ width: 2, height: 2, resize: 'shorter-crop', resizeShorter: 2 });
    // 4×6 portrait, rows 0, 16, …, 80: → 2 × int(2·6/4) = 2×3. Rows 6 → 3 at scale 2:
    // row 0: window [0, 3) taps 3/7, 3/7, 1/7 → (48 + 32)/7 = 11.4 → 11
    // row 1: window [1, 5) taps 1/8, 3/8, 3/8, 1/8 → (16 + 96 + 144 + 64)/8 = 40
    // row 2: window [3, 6) taps 1/7, 3/7, 3/7 → (48 + 192 + 240)/7 = 68.6 → 69; crop top = round(½) = 0
    const portrait = gray([0, 16, 32, 48, 64, 80].map((v) => [v, v, v, v]));
    expect(grayRows(resizeForModel(portrait, s))).toEqual([[11, 11], [40, 40]]);
    // the same image turned on its side: columns → 3×2, crop left = 0
    const landscape = gray([0, 1, 2, 3].map(() => [0, 16, 32, 48, 64, 80]));
    expect(grayRows(resizeForModel(landscape, s))).toEqual([[11, 40], [11, 40]]);
    // 3×5 with shorter side 2: the long side is int(10/3) = 3
    const odd = resizeForModel(gray(Array.from({ length: 5 }, () => [7, 7, 7])), spec({ width: 2, height: 3, resize: 'shorter-crop', resizeShorter: 2 }));
    expect([odd.width, odd.height]).toEqual([2, 3]);
    expect(odd.data.every((v) => v === 7)).toBe(true);
  });

  it('shorter-crop: a crop larger than the image is zero-padded as torchvision CenterCrop does', () => {
    // 2×2 stays 2×2; width 5 needs padding (5 − 2)//2 = 1 on the left and 2 on the right
    const out = resizeForModel(gray([[10, 20], [30, 40]]), spec({ width: 5, height: 2, resize: 'shorter-crop', resizeShorter: 2 }));
    expect(grayRows(out)).toEqual([[0, 10, 20, 0, 0], [0, 30, 40, 0, 0]]);
  });

  it('shorter-crop without resizeShorter resizes the shorter side to the smaller model side', () => {
    const out = resizeForModel(gray([[0, 100, 0, 100]]), spec({ width: 1, height: 1, resize: 'shorter-crop' }));
    // 4×1 → 4×1 (shorter side already 1), crop left = round(3/2) = 2
    expect(grayRows(out)).toEqual([[0]]);
  });
});

describe('preprocess', () => {
  it('chains resizeForModel and toTensor', () => {
    const s = spec({ width: 4, height: 1, mean: [5, 5, 5], std: [5, 5, 5] });
    const t = preprocess(gray([[0, 100]]), s);
    // resized row (0, 25, 75, 100), then (v − 5)/5 in each of the three planes
    expect(Array.from(t)).toEqual([-1, 4, 14, 19, -1, 4, 14, 19, -1, 4, 14, 19]);
  });
});
