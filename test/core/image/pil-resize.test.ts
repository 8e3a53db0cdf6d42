// Pillow's bilinear resize: cases worked by hand from Resample.c's formulas, an independent
// straightforward implementation of those formulas, and one image resized by Pillow 9.4 itself.
import { describe, it, expect } from 'vitest';
import { pilResizeBilinear, pilResizeBilinearWindow } from '../../../packages/core/src/image/pil-resize.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';

/** A 1-row gray image as RGB. */
const row = (values: number[]): RgbImage => ({ data: Uint8Array.from(values.flatMap((v) => [v, v, v])), width: values.length, height: 1, channels: 3 });
const firstChannel = (img: RgbImage) => Array.from(img.data).filter((_, i) => i % img.channels === 0);

/**
 * The formula written out plainly, one output sample at a time: triangle taps around
 * centre = (o + ½)·in/out, widened by max(in/out, 1), window [int(c − s + ½), int(c + s + ½)),
 * normalised, as 22-bit fixed point (or plain doubles with `exact = false`), rounded per pass.
 */
function referenceResize1d(src: number[], outSize: number, exact: boolean): number[] {
  const scale = src.length / outSize;
  const widen = Math.max(1, scale);
  const support = widen;
  const out: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(src.length, Math.trunc(centre + support + 0.5));
    const taps: number[] = [];
    for (let x = lo; x < hi; x++) taps.push(Math.max(0, 1 - Math.abs((x - centre + 0.5) * (1 / widen))));
    const total = taps.reduce((a, b) => a + b, 0);
    if (exact) {
      let acc = 2 ** 21;
      taps.forEach((t, i) => (acc += src[lo + i] * Math.trunc(0.5 + (t / total) * 2 ** 22)));
      out.push(Math.min(255, Math.max(0, Math.floor(acc / 2 ** 22))));
    } else {
      out.push(Math.min(255, Math.round(taps.reduce((a, t, i) => a + (src[lo + i] * t) / total, 0))));
    }
  }
  return out;
}

/** Separable: rows first, then columns (each skipped when its size is unchanged). */
function referenceResize(plane: number[][], outW: number, outH: number, exact: boolean): number[][] {
  const rows = plane[0].length === outW ? plane : plane.map((r) => referenceResize1d(r, outW, exact));
  if (rows.length === outH) return rows;
  const cols = Array.from({ length: outW }, (_, x) => referenceResize1d(rows.map((r) => r[x]), outH, exact));
  return Array.from({ length: outH }, (_, y) => cols.map((c) => c[y]));
}

/** A deterministic pseudo-random gray image. */
function noise(width: number, height: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  return Array.from({ length: height }, () => Array.from({ length: width }, next));
}
const grayImage = (plane: number[][]): RgbImage => ({ ...row(plane.flat()), width: plane[0].length, height: plane.length });
const toPlane = (img: RgbImage) => Array.from({ length: img.height }, (_, y) => firstChannel(img).slice(y * img.width, (y + 1) * img.width));

describe('pilResizeBilinear', () => {
  it('upsamples 2 → 4 with taps (1), (¾, ¼), (¼, ¾), (1)', () => {
    // scale ½: support 1; centre 0.25 → window [0, 1) only; centre 0.75 → [0, 2) weights ¾, ¼; …
    expect(firstChannel(pilResizeBilinear(row([0, 100]), 4, 1))).toEqual([0, 25, 75, 100]);
    // 25.25 → 25 and 75.75 → 76: rounded (+2^21 before the shift), not truncated
    expect(firstChannel(pilResizeBilinear(row([0, 101]), 4, 1))).toEqual([0, 25, 76, 101]);
  });

  it('downsamples 4 → 2 with a widened (antialiasing) filter', () => {
    // scale 2: support 2; output 0 has centre 1, window [0, 3), taps ¾, ¾, ¼ → 3/7, 3/7, 1/7:
    // 70·3/7 + 140/7 = 50; output 1 has centre 3, window [1, 4): 70/7 + 140·3/7 + 210·3/7 = 160
    expect(firstChannel(pilResizeBilinear(row([0, 70, 140, 210]), 2, 1))).toEqual([50, 160]);
  });

  it('downsamples 5 → 3 (non-integer ratio) by hand', () => {
    // scale 5/3, taps at distance d weigh 1 − 0.6·|d|:
    // o=0: centre 5/6, taps 0.8, 0.6, 0 → 4/7, 3/7:            45·3/7 = 19.3 → 19
    // o=1: centre 5/2, taps 0.4, 1, 0.4 → 2/9, 5/9, 2/9:        (90 + 450 + 270)/9 = 90
    // o=2: centre 25/6, taps 0.6, 0.8 (x = 3, 4) → 3/7, 4/7:    (405 + 720)/7 = 160.7 → 161
    expect(firstChannel(pilResizeBilinear(row([0, 45, 90, 135, 180]), 3, 1))).toEqual([19, 90, 161]);
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

  it('resamples a fourth channel on its own, like the other three', () => {
    const rgba: RgbImage = { data: Uint8Array.from([0, 0, 0, 101, 100, 100, 100, 0]), width: 2, height: 1, channels: 4 };
    expect(Array.from(pilResizeBilinear(rgba, 4, 1).data)).toEqual([0, 0, 0, 101, 25, 25, 25, 76, 75, 75, 75, 25, 100, 100, 100, 0]);
  });

  it('is the identity at the same size, returns a copy and keeps RGBA', () => {
    const img: RgbImage = { data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), width: 2, height: 1, channels: 4 };
    const out = pilResizeBilinear(img, 2, 1);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out.channels).toBe(4);
    expect(out.data).not.toBe(img.data);
  });

  it('keeps a constant image constant at any ratio, white included (the int32 sums do not wrap with hundreds of taps)', () => {
    for (const value of [0, 173, 255]) {
      for (const [w, h, ow, oh] of [[37, 23, 11, 50], [997, 5, 3, 2], [4, 1201, 2, 3], [1, 1, 224, 224]]) {
        const img: RgbImage = { data: new Uint8Array(w * h * 3).fill(value), width: w, height: h, channels: 3 };
        const out = pilResizeBilinear(img, ow, oh);
        expect([out.width, out.height]).toEqual([ow, oh]);
        expect(out.data.every((v) => v === value), `${value} ${w}×${h} → ${ow}×${oh}`).toBe(true);
      }
    }
  });

  it('matches the plain fixed-point formula exactly, and the float formula within 1, at many ratios', () => {
    const sizes: [number, number, number, number][] = [
      [5, 3, 7, 4], [7, 4, 3, 2], [10, 10, 3, 7], [13, 9, 5, 5], [31, 17, 8, 29], [6, 9, 6, 4], [3, 5, 3, 9], [40, 30, 224, 1], [1, 1, 3, 2],
    ];
    sizes.forEach(([w, h, ow, oh], k) => {
      const plane = noise(w, h, k + 1);
      const ours = toPlane(pilResizeBilinear(grayImage(plane), ow, oh));
      expect(ours).toEqual(referenceResize(plane, ow, oh, true));
      const float = referenceResize(plane, ow, oh, false).flat();
      ours.flat().forEach((v, i) => expect(Math.abs(v - float[i])).toBeLessThanOrEqual(1));
    });
  });

  it('reproduces Pillow 9.4 Image.resize(BILINEAR) on a 5×3 RGB image', () => {
    // np.random.default_rng(3).integers(0, 256, (3, 5, 3), uint8), resized with Pillow 9.4.0
    const src = [248, 194, 190, 207, 147, 26, 237, 21, 245, 211, 239, 45, 5, 157, 159, 60, 54, 236, 109, 46, 199, 82, 32, 205, 36, 7, 134, 222, 57, 146, 8, 149, 14, 15, 22, 10, 144, 208, 24, 24, 7, 41, 11, 85, 59];
    const img: RgbImage = { data: Uint8Array.from(src), width: 5, height: 3, channels: 3 };
    expect(Array.from(pilResizeBilinear(img, 3, 2).data)).toEqual([174, 128, 158, 170, 72, 166, 111, 134, 122, 37, 79, 90, 85, 88, 86, 64, 46, 85]);
    expect(Array.from(pilResizeBilinear(img, 7, 4).data)).toEqual([
      248, 194, 190, 225, 167, 96, 216, 111, 89, 237, 21, 245, 218, 177, 102, 123, 204, 94, 5, 157, 159,
      131, 107, 219, 139, 93, 170, 144, 68, 159, 140, 28, 220, 112, 75, 135, 119, 94, 122, 141, 95, 151,
      41, 90, 153, 60, 59, 139, 83, 54, 131, 105, 98, 137, 52, 33, 110, 79, 33, 105, 143, 68, 113,
      8, 149, 14, 12, 76, 12, 52, 75, 14, 144, 208, 24, 58, 64, 36, 18, 40, 49, 11, 85, 59,
    ]);
  });

  it('refuses an empty or fractional target size', () => {
    expect(() => pilResizeBilinear(row([1, 2]), 0, 1)).toThrow(RangeError);
    expect(() => pilResizeBilinear(row([1, 2]), 1.5, 1)).toThrow(RangeError);
  });
});

describe('pilResizeBilinearWindow', () => {
  /** Channel-distinct RGB(A) noise, so a mixed-up band or offset shows. */
  const colourNoise = (width: number, height: number, channels: 3 | 4, seed: number): RgbImage => {
    let s = seed;
    const data = Uint8Array.from({ length: width * height * channels }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255);
    return { data, width, height, channels };
  };
  /** The window cut from the whole resize, the plain way. */
  const cut = (img: RgbImage, left: number, top: number, w: number, h: number): Uint8Array => {
    const out = new Uint8Array(w * h * img.channels);
    for (let y = 0; y < h; y++) out.set(img.data.subarray(((top + y) * img.width + left) * img.channels, ((top + y) * img.width + left + w) * img.channels), y * w * img.channels);
    return out;
  };

  it('is the same bytes as the whole resize cut to the window (down, up, one axis kept, RGBA)', () => {
    const cases: [number, number, 3 | 4, number, number, number, number, number, number][] = [
      // source w×h, channels, resized w×h, window left, top, w, h
      [97, 61, 3, 41, 32, 4, 3, 32, 28], // downscale both axes, a centre crop
      [40, 23, 3, 67, 90, 0, 0, 67, 90], // upscale, the whole image
      [50, 31, 4, 37, 31, 5, 7, 30, 20], // height kept: the columns pass only, window rows cut from the source
      [50, 31, 3, 50, 12, 9, 2, 33, 9], // width kept: the rows pass only
      [300, 200, 3, 384, 256, 80, 16, 224, 224], // torchvision Resize(256) + CenterCrop(224) of a 3:2 photo
      [13, 11, 3, 5, 4, 4, 3, 1, 1], // one pixel at the far corner
    ];
    for (const [sw, sh, ch, ow, oh, left, top, w, h] of cases) {
      const img = colourNoise(sw, sh, ch, sw * 31 + sh);
      const whole = pilResizeBilinear(img, ow, oh);
      const win = pilResizeBilinearWindow(img, ow, oh, left, top, w, h);
      expect([win.width, win.height, win.channels]).toEqual([w, h, ch]);
      expect(Buffer.from(win.data).equals(Buffer.from(cut(whole, left, top, w, h)))).toBe(true);
    }
  });

  it('refuses a window outside the resized image', () => {
    const img = colourNoise(10, 10, 3, 1);
    expect(() => pilResizeBilinearWindow(img, 8, 8, 4, 0, 5, 8)).toThrow(RangeError);
    expect(() => pilResizeBilinearWindow(img, 8, 8, -1, 0, 5, 8)).toThrow(RangeError);
    expect(() => pilResizeBilinearWindow(img, 8, 8, 0, 0, 0, 8)).toThrow(RangeError);
  });
});
