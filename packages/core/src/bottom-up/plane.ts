// Small helpers shared by the bottom-up models: float planes (FloatMap), channel extraction, scaling.
import type { FloatMap } from '../cam/types.js';
import { checkImage, type RgbImage } from '../image/types.js';

export type { FloatMap };

export function makePlane(width: number, height: number, values?: Float32Array): FloatMap {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`plane size ${width}×${height} is not a positive integer size`);
  }
  if (values && values.length !== width * height) {
    throw new RangeError(`plane has ${values.length} values; ${width}×${height} needs ${width * height}`);
  }
  return { width, height, values: values ?? new Float32Array(width * height) };
}

/** The R, G and B planes of an image as floats in [0, 1] (alpha ignored). */
export function rgbPlanes(image: RgbImage): [FloatMap, FloatMap, FloatMap] {
  checkImage(image);
  const { width, height, channels, data } = image;
  const r = makePlane(width, height);
  const g = makePlane(width, height);
  const b = makePlane(width, height);
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    r.values[i] = data[p] / 255;
    g.values[i] = data[p + 1] / 255;
    b.values[i] = data[p + 2] / 255;
  }
  return [r, g, b];
}

/** Luma as MATLAB's rgb2gray computes it (ITU-R BT.601: 0.2989 R + 0.5870 G + 0.1140 B), in [0, 1]. */
export function grayPlane(image: RgbImage): FloatMap {
  checkImage(image);
  const { width, height, channels, data } = image;
  const out = makePlane(width, height);
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    out.values[i] = (0.2989 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) / 255;
  }
  return out;
}

/** Divide by the maximum so the largest value is 1; an all-zero (or non-positive) map stays zero. */
export function scaleToMax(map: FloatMap): FloatMap {
  let max = 0;
  for (const v of map.values) if (v > max) max = v;
  const out = makePlane(map.width, map.height);
  if (max > 0 && Number.isFinite(max)) for (let i = 0; i < out.values.length; i++) out.values[i] = Math.max(0, map.values[i]) / max;
  return out;
}

/** Elementwise a + w·b into a (same size). */
export function addInto(a: FloatMap, b: FloatMap, w = 1): void {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`cannot add ${b.width}×${b.height} to ${a.width}×${a.height}`);
  for (let i = 0; i < a.values.length; i++) a.values[i] += w * b.values[i];
}

