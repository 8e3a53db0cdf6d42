// From a signed attribution [C, H, W] to what every shell shows, the same way for every pixel method:
// raw = Σ_c |attribution| at the input's resolution (H×W), map = the CAM pipeline's postprocess of
// raw (relu, min-max, resize to the same size — the identity —, min-max), so a consumer that only
// knows CAMs (the widget re-running postprocess on raw, the API storing raw, the leaderboard scoring
// map) handles pixel maps unchanged. The gradient-times-image rendering (the photo seen through the
// map) lives here too.
import { postprocess } from '../cam/pipeline.js';
import { resizeBilinear } from '../cam/resize.js';
import type { FloatMap } from '../cam/types.js';
import { checkImage, type RgbImage } from '../image/types.js';
import type { AttributionMap } from './types.js';

/** Σ over channels of |attribution|: [H·W]. */
export function channelAbsSum(a: AttributionMap): FloatMap {
  const { channels, width, height, values } = a;
  const n = width * height;
  if (values.length !== channels * n) throw new RangeError(`attribution has ${values.length} values, not ${channels}×${height}×${width}`);
  const out = new Float32Array(n);
  for (let c = 0; c < channels; c++) {
    const off = c * n;
    for (let i = 0; i < n; i++) out[i] += Math.abs(values[off + i]);
  }
  return { width, height, values: out };
}

/** The raw and display maps of an attribution (ClassMap.raw and ClassMap.map). */
export function attributionMaps(a: AttributionMap): { raw: FloatMap; map: FloatMap } {
  const summed = channelAbsSum(a);
  return postprocess(summed.values, a.height, a.width, a.height, a.width);
}

/**
 * Gradient × image: each pixel of `image` scaled by the display map (values in [0, 1]; a map of
 * another size is first resized to the image bilinearly, as `overlay` does). Where the attribution
 * is large the photo shows; elsewhere it fades to black.
 */
export function maskedImage(image: RgbImage, map: FloatMap): RgbImage {
  checkImage(image);
  const { width, height, channels } = image;
  if (map.values.length !== map.width * map.height) throw new RangeError(`map has ${map.values.length} values, not ${map.width}×${map.height}`);
  const values = map.width === width && map.height === height ? map.values : resizeBilinear(map.values, map.width, map.height, width, height);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const m = Math.min(1, Math.max(0, values[i]));
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(image.data[i * channels + c] * m);
  }
  return { data, width, height, channels: 3 };
}

/** The p-th percentile of `values` (numpy's default, linear between closest ranks). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], not ${p}`);
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** The percentile at which pixel maps are clipped for drawing (PAIR saliency's VisualizeImageGrayscale). */
export const RENDER_PERCENTILE = 99;

/**
 * A map for drawing a pixel attribution: raw (Σ_c |attribution|) divided by its 99th percentile and
 * clipped to [0, 1], as PAIR saliency draws them. Pixel attributions are heavy-tailed (on SqueezeNet,
 * guided backprop's largest pixel is ~17× its 99th percentile), so min-max alone leaves all but a
 * handful of pixels black.
 */
export function renderedAttribution(raw: FloatMap, clipPercentile = RENDER_PERCENTILE): FloatMap {
  const t = percentile(raw.values, clipPercentile);
  const values = t > 0 ? raw.values.map((v) => Math.min(1, Math.max(0, v / t))) : new Float32Array(raw.values.length);
  return { width: raw.width, height: raw.height, values };
}
