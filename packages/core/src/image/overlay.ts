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
  // numpy casts the Python scalars to float32 and computes every step in float32. Both terms of the
  // blend take 256 (per channel) values, so they are tabled once, with the same float32 steps:
  // heat[k·3 + c] = f32(heatWeight · f32(lut[k·3 + c] / 255)), pixel[p] = f32(imageWeight · f32(p / 255))
  const heatWeight = f32(1 - weight);
  const imageWeight = f32(weight);
  const heat = new Float32Array(lut.length);
  for (let j = 0; j < lut.length; j++) heat[j] = f32(heatWeight * f32(lut[j] / 255));
  const pixel = new Float32Array(256);
  for (let p = 0; p < 256; p++) pixel[p] = f32(imageWeight * f32(p / 255));
  const n = width * height;
  const cam = new Float32Array(n * 3);
  const src = image.data;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const k = colormapIndex(values[i]) * 3;
    const s = i * channels;
    const o = i * 3;
    const r = f32(heat[k] + pixel[src[s]]);
    const g = f32(heat[k + 1] + pixel[src[s + 1]]);
    const b = f32(heat[k + 2] + pixel[src[s + 2]]);
    cam[o] = r;
    cam[o + 1] = g;
    cam[o + 2] = b;
    if (r > max) max = r;
    if (g > max) max = g;
    if (b > max) max = b;
  }
  const data = new Uint8Array(n * 3);
  // an all-black blend (max 0) is 0/0 in numpy; black is the sensible picture of it
  if (max > 0) for (let i = 0; i < data.length; i++) data[i] = Math.trunc(f32(255 * f32(cam[i] / max)));
  return { data, width, height, channels: 3 };
}
