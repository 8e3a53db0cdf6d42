// The overlay is pytorch-grad-cam's show_cam_on_image: blend, divide by the maximum, truncate to uint8.
import { describe, it, expect } from 'vitest';
import { overlay } from '../../../packages/core/src/image/overlay.js';
import { colormapIndex, colormapLut, COLORMAPS, type ColormapName } from '../../../packages/core/src/image/colormap.js';
import type { RgbImage } from '../../../packages/core/src/image/types.js';
import { rng } from '../../helpers/random.js';

const grayPixels = (values: number[], channels: 3 | 4 = 3): RgbImage => ({
  data: Uint8Array.from(values.flatMap((v) => (channels === 3 ? [v, v, v] : [v, v, v, 255]))),
  width: values.length, height: 1, channels,
});
const map = (values: number[], width = values.length, height = 1) => ({ width, height, values: Float32Array.from(values) });

describe('overlay (show_cam_on_image)', () => {
  it('blends with jet, divides by the maximum and truncates (2×1 by hand)', () => {
    // pixels (255, 0, 0) and black; map 0 → jet (0, 0, 128), map 1 → jet (128, 0, 0); weight ½:
    // cam = (½, 0, ½·128/255) and (½·128/255, 0, 0); max = ½ → (1, 0, 128/255), (128/255, 0, 0)
    // → 255·128/255 = 128 (float32: exactly 128.0, so no truncation to 127)
    const img: RgbImage = { data: Uint8Array.from([255, 0, 0, 0, 0, 0]), width: 2, height: 1, channels: 3 };
    const out = overlay(img, map([0, 1]));
    expect([out.width, out.height, out.channels]).toEqual([2, 1, 3]);
    expect(Array.from(out.data)).toEqual([255, 0, 128, 128, 0, 0]);
  });

  it('truncates after the division by the maximum (gray, 2×1 by hand)', () => {
    // index = uint8(255·0.2) = 51, uint8(255·0.4) = 102; pixels 99 and 50:
    // w = ½:  cam = (51 + 99)/510 = 75/255 and (102 + 50)/510 = 76/255 → 255·75/76 = 251.6 → 251; 255
    expect(Array.from(overlay(grayPixels([99, 50]), map([0.2, 0.4]), { colormap: 'gray' }).data)).toEqual([251, 251, 251, 255, 255, 255]);
    // w = ¼:  cam = (¾·51 + ¼·99)/255 = 63/255 and (¾·102 + ¼·50)/255 = 89/255 → 255·63/89 = 180.5 → 180; 255
    expect(Array.from(overlay(grayPixels([99, 50]), map([0.2, 0.4]), { colormap: 'gray', imageWeight: 0.25 }).data)).toEqual([180, 180, 180, 255, 255, 255]);
  });

  it('image weight 0 shows only the heat, 1 only the image, both scaled to a maximum of 255', () => {
    const img = grayPixels([200, 100]);
    expect(Array.from(overlay(img, map([0.5, 1]), { colormap: 'gray', imageWeight: 0 }).data)).toEqual([127, 127, 127, 255, 255, 255]);
    // 255·(100/255)/(200/255) = 127.5 → 127
    expect(Array.from(overlay(img, map([0.5, 1]), { imageWeight: 1 }).data)).toEqual([255, 255, 255, 127, 127, 127]);
  });

  it('resizes a map of another size to the image with OpenCV bilinear', () => {
    // 2×1 → 4×1 (INTER_LINEAR, half-pixel centres, edges clamped): 0, ¼, ¾, 1 → indices 0, 63, 191, 255
    const out = overlay(grayPixels([0, 0, 0, 0], 4), map([0, 1]), { colormap: 'gray', imageWeight: 0 });
    expect([out.width, out.height, out.channels]).toEqual([4, 1, 3]);
    expect(Array.from(out.data).filter((_, i) => i % 3 === 0)).toEqual([0, 63, 191, 255]);
  });

  it('is black when everything is black, and refuses bad arguments', () => {
    expect(overlay(grayPixels([0, 0]), map([0, 0]), { colormap: 'gray' }).data.every((v) => v === 0)).toBe(true);
    expect(() => overlay(grayPixels([0]), map([0]), { imageWeight: 2 })).toThrow(RangeError);
    expect(() => overlay(grayPixels([0]), map([0]), { imageWeight: -0.1 })).toThrow(RangeError);
    expect(() => overlay(grayPixels([0, 0]), map([0, 0, 0], 2, 1))).toThrow(/3 values/);
  });
});

describe("overlay: every byte of pytorch-grad-cam's float32 formula, pixel by pixel", () => {
  // show_cam_on_image in float32 numpy, written out per pixel and channel with no tables (the
  // implementation tables both terms and the division; this is the independent check of that):
  //   heat = f32(f32(1 - w) * f32(lut[k*3 + c] / 255)), image = f32(f32(w) * f32(p / 255)),
  //   cam = f32(heat + image), out = trunc(f32(255 * f32(cam / max cam))); all black when max is 0
  function showCamOnImage(image: RgbImage, values: Float32Array, colormap: ColormapName, weight: number): Uint8Array {
    const f32 = Math.fround;
    const lut = colormapLut(colormap);
    const n = image.width * image.height;
    const cam = new Float32Array(n * 3);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const k = colormapIndex(values[i]);
      for (let c = 0; c < 3; c++) {
        const v = f32(f32(f32(1 - weight) * f32(lut[k * 3 + c] / 255)) + f32(f32(weight) * f32(image.data[i * image.channels + c] / 255)));
        cam[i * 3 + c] = v;
        if (v > max) max = v;
      }
    }
    return Uint8Array.from(cam, (v) => (max > 0 ? Math.trunc(f32(255 * f32(v / max))) : 0));
  }

  it('on random images, maps (special values among them), colormaps and weights', () => {
    const rand = rng(17);
    const special = [0, 1, -0.5, 1.5, NaN, 1 / 255, 254.5 / 255, 0.5, Math.fround(1 - 2 ** -24)];
    for (let t = 0; t < 60; t++) {
      const width = 1 + Math.floor(rand() * 37);
      const height = 1 + Math.floor(rand() * 29);
      const channels = rand() < 0.7 ? 3 : 4;
      const dark = rand() < 0.2; // images that never reach 255 (the maximum is then below 1)
      const data = Uint8Array.from({ length: width * height * channels }, () => Math.floor(rand() * (dark ? 90 : 256)));
      const values = Float32Array.from({ length: width * height }, () => (rand() < 0.1 ? special[Math.floor(rand() * special.length)] : rand()));
      const colormap = COLORMAPS[t % COLORMAPS.length];
      const weight = t % 7 === 0 ? 0 : t % 7 === 1 ? 1 : rand();
      const image: RgbImage = { data, width, height, channels };
      const got = overlay(image, { width, height, values }, { colormap, imageWeight: weight });
      expect(Buffer.from(got.data).equals(Buffer.from(showCamOnImage(image, values, colormap, weight))), `case ${t}`).toBe(true);
    }
  });
});
