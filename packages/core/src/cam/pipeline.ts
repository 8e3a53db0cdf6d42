// The post-processing every CAM method shares, as pytorch-grad-cam 1.5.5 does it:
// raw = relu(cam); map = scale(relu(resize(scale(raw)))) with scale(x) = (x − min) / (1e-7 + max),
// resize = OpenCV INTER_LINEAR to the input size.
import { resizeBilinear } from './resize.js';
import type { FloatMap } from './types.js';

/** pytorch-grad-cam's scale_cam_image for one map: x − min, then / (1e-7 + max), in float32. */
export function minMaxScale(values: Float32Array): Float32Array {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  const out = new Float32Array(values.length);
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i] - min;
    if (out[i] > max) max = out[i];
  }
  const d = Math.fround(1e-7 + max);
  for (let i = 0; i < out.length; i++) out[i] = out[i] / d;
  return out;
}

export function relu(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  // NaN (e.g. from a degenerate method input) becomes 0, as np.maximum would not: a map must be finite
  for (let i = 0; i < values.length; i++) out[i] = values[i] > 0 ? values[i] : 0;
  return out;
}

/** In place: x − min, then / (1e-7 + max) — scale_cam_image on an array we own. */
function minMaxScaleInPlace(values: Float32Array): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // max(x − min) = max − min, computed in float32 as numpy does
  const d = Math.fround(1e-7 + Math.fround(max - min));
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i] - min) / d;
  return values;
}

/** A method's cam [h·w] → the reported raw map and the final map at outHeight×outWidth in [0, 1]. */
export function postprocess(cam: Float32Array, height: number, width: number, outHeight: number, outWidth: number): { raw: FloatMap; map: FloatMap } {
  if (cam.length !== height * width) throw new RangeError(`cam has ${cam.length} values, expected ${height}×${width}`);
  const raw = relu(cam);
  // bilinear interpolation of values ≥ 0 stays ≥ 0, so pytorch-grad-cam's second relu is a no-op here
  const resized = resizeBilinear(minMaxScale(raw), width, height, outWidth, outHeight);
  return {
    raw: { width, height, values: raw },
    map: { width: outWidth, height: outHeight, values: minMaxScaleInPlace(resized) },
  };
}
