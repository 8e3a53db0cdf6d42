// From per-layer CAMs to one map on the detector's input and on the original image.
// Several layers combine as pytorch-grad-cam 1.5.5 combines target layers (compute_cam_per_layer +
// aggregate_multi_layers): per layer relu → scale_cam_image → INTER_LINEAR resize to the input size;
// then relu, the mean over layers and scale_cam_image again. One layer gives exactly the classifier
// pipeline's map (cam/pipeline.ts postprocess). A map on the letterboxed input is taken back to the
// image: the top-left w×h area that holds the resized image (the padding is dropped), resized with
// INTER_LINEAR to the image's own size; values are not rescaled, so they stay those of the input map.
import { minMaxScale, relu } from '../cam/pipeline.js';
import { resizeBilinear } from '../cam/resize.js';
import type { FloatMap } from '../cam/types.js';

/** pytorch-grad-cam's multi-layer aggregation of signed layer CAMs to an outWidth×outHeight map in [0, 1]. */
export function aggregateLayerCams(cams: readonly FloatMap[], outWidth: number, outHeight: number): FloatMap {
  if (cams.length === 0) throw new RangeError('no layer CAMs to combine');
  const sum = new Float64Array(outWidth * outHeight);
  for (const c of cams) {
    const resized = resizeBilinear(minMaxScale(relu(c.values)), c.width, c.height, outWidth, outHeight);
    for (let i = 0; i < sum.length; i++) sum[i] += resized[i] > 0 ? resized[i] : 0;
  }
  const mean = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) mean[i] = sum[i] / cams.length;
  return { width: outWidth, height: outHeight, values: minMaxScale(mean) };
}

/** A map on the W×H letterboxed input → the image's pixels (the image fills the top-left width×height). */
export function letterboxToImage(map: FloatMap, fitted: { width: number; height: number }, imageWidth: number, imageHeight: number): FloatMap {
  const { width: w, height: h } = fitted;
  if (w > map.width || h > map.height) throw new RangeError(`the fitted image ${w}×${h} is larger than the map ${map.width}×${map.height}`);
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++) crop.set(map.values.subarray(y * map.width, y * map.width + w), y * w);
  return { width: imageWidth, height: imageHeight, values: resizeBilinear(crop, w, h, imageWidth, imageHeight) };
}
