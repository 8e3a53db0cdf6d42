// Pillow's bilinear resize, against cases worked by hand from Resample.c's formulas.
import { describe, it, expect } from 'vitest';
import { pilResizeBilinear } from '../../../packages/core/src/image/pil-resize.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';

/** A 1-row gray image as RGB. */
const row = (values: number[]): RgbImage => ({ data: Uint8Array.from(values.flatMap((v) => [v, v, v])), width: values.length, height: 1, channels: 3 });
const firstChannel = (img: RgbImage) => Array.from(img.data).filter((_, i) => i % img.channels === 0);

describe('pilResizeBilinear', () => {
  it('upsamples 2 → 4 with taps (1), (¾, ¼), (¼, ¾), (1)', () => {
    // centre = (o + ½)/2; the triangle filter has support 1 at this scale
    expect(firstChannel(pilResizeBilinear(row([0, 100]), 4, 1))).toEqual([0, 25, 75, 100]);
    // 25.25 → 25 and 75.75 → 76: rounded, not truncated
    expect(firstChannel(pilResizeBilinear(row([0, 101]), 4, 1))).toEqual([0, 25, 76, 101]);
  });

  it('downsamples 4 → 2 with a widened (antialiasing) filter', () => {
    // scale 2: support 2, taps for output 0 at x = 0,1,2 weigh ¾, ¾, ¼ → 3/7, 3/7, 1/7
    expect(firstChannel(pilResizeBilinear(row([0, 70, 140, 210]), 2, 1))).toEqual([50, 160]);
  });

  it('resizes columns the same way, and keeps the channels apart', () => {
    const col: RgbImage = { data: Uint8Array.from([0, 10, 200, 70, 20, 100]), width: 1, height: 2, channels: 3 };
    const out = pilResizeBilinear(col, 1, 4);
    expect(Array.from(out.data)).toEqual([
      0, 10, 200,
      Math.round(0.75 * 0 + 0.25 * 70), Math.round(0.75 * 10 + 0.25 * 20), Math.round(0.75 * 200 + 0.25 * 100),
      Math.round(0.25 * 0 + 0.75 * 70), Math.round(0.25 * 10 + 0.75 * 20), Math.round(0.25 * 200 + 0.75 * 100),
      70, 20, 100,
    ]);
  });

  it('is the identity at the same size and keeps RGBA', () => {
    const img: RgbImage = { data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), width: 2, height: 1, channels: 4 };
    const out = pilResizeBilinear(img, 2, 1);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out.data).not.toBe(img.data);
  });

  it('keeps a constant image constant at any ratio', () => {
    const img: RgbImage = { data: new Uint8Array(37 * 23 * 3).fill(173), width: 37, height: 23, channels: 3 };
    const out = pilResizeBilinear(img, 11, 50);
    expect(out.data.every((v) => v === 173)).toBe(true);
  });
});
