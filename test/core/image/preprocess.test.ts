// Image → tensor: channel order, normalisation, layout and the two resize rules, by hand.
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

describe('toTensor', () => {
  it('lays out NCHW and normalises (pixel·scale − mean)/std per channel', () => {
    const t = toTensor(img, spec({ mean: [1, 2, 3], std: [1, 2, 4] }));
    expect(Array.from(t)).toEqual([9, 39, 9, 24, 6.75, 14.25]);
  });
  it('reverses the channels for BGR models (mean in tensor order)', () => {
    const t = toTensor(img, spec({ channelOrder: 'BGR', mean: [30, 20, 10] }));
    expect(Array.from(t)).toEqual([0, 30, 0, 30, 0, 30]);
  });
  it('scales 0-255 to 0-1 models', () => {
    const t = toTensor(img, spec({ scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
    expect(t[0]).toBeCloseTo((10 / 255 - 0.5) / 0.5, 6);
    expect(t[5]).toBeCloseTo((60 / 255 - 0.5) / 0.5, 6);
  });
  it('ignores alpha and refuses an image of the wrong size', () => {
    const rgba: RgbImage = { data: Uint8Array.from([10, 20, 30, 255, 40, 50, 60, 0]), width: 2, height: 1, channels: 4 };
    expect(Array.from(toTensor(rgba, spec({})))).toEqual(Array.from(toTensor(img, spec({}))));
    expect(() => toTensor(img, spec({ width: 3 }))).toThrow(/takes 3×1/);
    expect(() => toTensor({ ...img, data: new Uint8Array(5) }, spec({}))).toThrow(/needs 6/);
  });
});

describe('resizeForModel', () => {
  const column = (values: number[]): RgbImage => ({ data: Uint8Array.from(values.flatMap((v) => [v, v, v, v, v, v])), width: 2, height: values.length, channels: 3 });
  const rows = (out: RgbImage) => Array.from({ length: out.height }, (_, y) => out.data[y * out.width * 3]);

  it('shorter-crop: shorter side to resizeShorter, then a centred crop with Python rounding', () => {
    const s = spec({ width: 2, height: 2, resize: 'shorter-crop', resizeShorter: 2 });
    // 2×3 → no resize; top = round(½) = 0 (halves to even)
    expect(rows(resizeForModel(column([1, 2, 3]), s))).toEqual([1, 2]);
    // 2×5 → top = round(3/2) = 2
    expect(rows(resizeForModel(column([1, 2, 3, 4, 5]), s))).toEqual([3, 4]);
    // 2×4 → top = 1
    expect(rows(resizeForModel(column([1, 2, 3, 4]), s))).toEqual([2, 3]);
  });

  it('shorter-crop keeps the aspect ratio: 4×8 with shorter side 2 becomes 2×4 before the crop', () => {
    const big: RgbImage = { data: new Uint8Array(4 * 8 * 3).fill(9), width: 4, height: 8, channels: 3 };
    const out = resizeForModel(big, spec({ width: 2, height: 2, resize: 'shorter-crop', resizeShorter: 2 }));
    expect([out.width, out.height, out.data.length]).toEqual([2, 2, 12]);
  });

  it('stretch resizes to the model size and preprocess chains both steps', () => {
    const out = resizeForModel(img, spec({ width: 4, height: 2 }));
    expect([out.width, out.height]).toEqual([4, 2]);
    expect(out.data[0]).toBe(10);
    expect(preprocess(img, spec({ width: 4, height: 2 }))).toHaveLength(3 * 8);
  });
});
