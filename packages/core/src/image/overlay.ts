// A heatmap blended over the image, as pytorch-grad-cam's show_cam_on_image(use_rgb=True) does:
// heat = lut(uint8(255·map))/255; cam = (1 − w)·heat + w·img/255; cam /= max(cam); uint8(255·cam).
import { resizeBilinear } from '../cam/resize.js';
import type { FloatMap } from '../cam/types.js';
import { colormapIndex, colormapLut, type ColormapName } from './colormap.js';
import { checkImage, type RgbImage } from './types.js';

export interface OverlayOptions {
  colormap?: ColormapName;
  /** Weight of the image in the blend (pytorch-grad-cam's image_weight), 0..1. Default 0.5. */
  imageWeight?: number;
}

/**
 * Blend `map` over `image` (RGB output at the image's size). A map of another size is first
 * resized to the image with OpenCV's bilinear rule.
 */
export function overlay(image: RgbImage, map: FloatMap, options: OverlayOptions = {}): RgbImage {
  checkImage(image);
  const w = options.imageWeight ?? 0.5;
  if (!(w >= 0 && w <= 1)) throw new RangeError(`imageWeight must be in [0, 1], not ${w}`);
  const { width, height, channels } = image;
  const values = map.width === width && map.height === height
    ? map.values
    : resizeBilinear(map.values, map.width, map.height, width, height);
  const lut = colormapLut(options.colormap ?? 'jet');
  const n = width * height;
  const blended = new Float32Array(n * 3);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const k = colormapIndex(values[i]) * 3;
    for (let c = 0; c < 3; c++) {
      const v = Math.fround((1 - w) * Math.fround(lut[k + c] / 255) + w * Math.fround(image.data[i * channels + c] / 255));
      blended[i * 3 + c] = v;
      if (v > max) max = v;
    }
  }
  const data = new Uint8Array(n * 3);
  if (max > 0) for (let i = 0; i < data.length; i++) data[i] = Math.trunc(255 * Math.fround(blended[i] / max));
  return { data, width, height, channels: 3 };
}
