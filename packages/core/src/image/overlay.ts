// A heatmap blended over its image, as pytorch-grad-cam 1.5.5's show_cam_on_image(use_rgb=True) does it
// in float32 numpy: heat = lut(uint8(255·map))/255; cam = (1 − w)·heat + w·img/255; cam /= max(cam);
// out = uint8(255·cam).
import { resizeBilinear } from '../cam/resize.js';
import type { FloatMap } from '../cam/types.js';
import { colormapIndex, colormapLut, type ColormapName } from './colormap.js';
import { checkImage, type RgbImage } from './types.js';

export interface OverlayOptions {
  colormap?: ColormapName;
  /** pytorch-grad-cam's image_weight, the image's share of the blend in [0, 1]; default 0.5. */
  imageWeight?: number;
}

const f32 = Math.fround;

/**
 * Blend `map` (values in [0, 1]) over `image`; the result is RGB at the image's size. A map of another
 * size is first resized to the image with OpenCV's bilinear rule (cv2.resize, INTER_LINEAR).
 */
export function overlay(image: RgbImage, map: FloatMap, options: OverlayOptions = {}): RgbImage {
  checkImage(image);
  const weight = options.imageWeight ?? 0.5;
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`imageWeight must be in [0, 1], not ${weight}`);
  const { width, height, channels } = image;
  if (map.values.length !== map.width * map.height) {
    throw new RangeError(`map has ${map.values.length} values, not ${map.width}×${map.height}`);
  }
  const values = map.width === width && map.height === height
    ? map.values
    : resizeBilinear(map.values, map.width, map.height, width, height);
  const lut = colormapLut(options.colormap ?? 'jet');
  // numpy casts the Python scalars to float32 and computes every step in float32:
  //   cam = f32(f32(heatWeight · f32(lut[k·3 + c] / 255)) + f32(imageWeight · f32(p / 255)))
  //   out = trunc(f32(255 · f32(cam / max)))
  // for colour index k, channel c and pixel value p. Both terms take 256 (per channel) values, so they
  // are tabled once. The sum grows with p, so the maximum is found from the brightest pixel value seen
  // with each (k, c); then out is tabled over every (k·3 + c, p), with the same float32 steps: two
  // passes of integer work over the pixels, no float image held.
  const heatWeight = f32(1 - weight);
  const imageWeight = f32(weight);
  const heat = new Float32Array(lut.length);
  for (let j = 0; j < lut.length; j++) heat[j] = f32(heatWeight * f32(lut[j] / 255));
  const pixel = new Float32Array(256);
  for (let p = 0; p < 256; p++) pixel[p] = f32(imageWeight * f32(p / 255));
  const n = width * height;
  const src = image.data;
  // per pixel its colour's row j = 3·k of the tables (k ≤ 255, so j fits 16 bits)
  const index = new Uint16Array(n);
  const brightest = new Int16Array(lut.length).fill(-1);
  for (let i = 0, s = 0; i < n; i++, s += channels) {
    const j = colormapIndex(values[i]) * 3;
    index[i] = j;
    const r = src[s];
    const g = src[s + 1];
    const b = src[s + 2];
    if (r > brightest[j]) brightest[j] = r;
    if (g > brightest[j + 1]) brightest[j + 1] = g;
    if (b > brightest[j + 2]) brightest[j + 2] = b;
  }
  let max = 0;
  for (let j = 0; j < lut.length; j++) {
    if (brightest[j] < 0) continue;
    const v = f32(heat[j] + pixel[brightest[j]]);
    if (v > max) max = v;
  }
  const data = new Uint8Array(n * 3);
  // an all-black blend (max 0) is 0/0 in numpy; black is the sensible picture of it
  if (max > 0) {
    const out = new Uint8Array(lut.length * 256);
    for (let j = 0; j < lut.length; j++) {
      if (brightest[j] < 0) continue;
      for (let p = 0; p <= brightest[j]; p++) out[(j << 8) | p] = Math.trunc(f32(255 * f32(f32(heat[j] + pixel[p]) / max)));
    }
    for (let i = 0, s = 0, o = 0; i < n; i++, s += channels, o += 3) {
      const t = index[i] << 8;
      data[o] = out[t | src[s]];
      data[o + 1] = out[(t + 256) | src[s + 1]];
      data[o + 2] = out[(t + 512) | src[s + 2]];
    }
  }
  return { data, width, height, channels: 3 };
}
