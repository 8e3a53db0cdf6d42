// Resampling a map to another size, as the benchmarks do before comparing a saliency map with a
// fixation map of another size:
//
// * pysaliency (ResizingSaliencyMapModel) resizes with scipy.ndimage.zoom(smap, [h'/h, w'/w],
//   order=1, mode='nearest'): bilinear interpolation on a grid whose corner pixels coincide
//   (output pixel i samples input position i·(n − 1)/(n' − 1); a 1-pixel output samples position 0).
//   order=1 has no spline prefilter and these positions never leave the map, so it is exactly
//   bilinear with aligned corners, without antialiasing when shrinking. That is what we do.
// * cvzoya/saliency (the MIT benchmark's MATLAB code) calls imresize(map, size(fixationMap)), whose
//   default is *bicubic* with an antialiasing kernel when shrinking and half-pixel centres. We do not
//   reproduce MATLAB's bicubic; the metrics that compare distributions (KL above all) can differ a
//   little between the two when the sizes differ. The Tübingen benchmark now asks for maps of the
//   image's size for that reason.
import type { FloatMap } from '../cam/types.js';
import { resizeAlignCorners } from '../cam/resize.js';

/** `map` resampled to width×height (bilinear, aligned corners); the map itself when the size matches. */
export function resampleMap(map: FloatMap, width: number, height: number): FloatMap {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`cannot resample to ${width}×${height}: not a positive integer size`);
  }
  if (map.values.length !== map.width * map.height) {
    throw new RangeError(`map of ${map.values.length} values is not ${map.width}×${map.height}`);
  }
  if (map.width === width && map.height === height) return map;
  return { width, height, values: resizeAlignCorners(map.values, 1, map.width, map.height, width, height) };
}
