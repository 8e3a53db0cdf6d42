// How well a shown heatmap agrees with attention, computed in the browser with core's scoring (the
// code behind the API's Heatmap.alignment, so both give the same numbers): against people's points
// pooled into a human map, or, without human data, against a predicted fixation density of the
// image as the model saw it. Also the human map as a display overlay.
import {
  alignToHuman, alignToPredicted, humanMap, predictedDensity, resizeForModel,
  type AlignmentScore, type FloatMap, type HumanMap,
} from '@saliency-explainer/core';
import type { ModelView } from '../engines/types.js';
import { viewRect } from '../render/heatmap.js';
import type { HumanAttention } from './human-api.js';

export type ReferenceKind = 'CROWD' | 'EYE_TRACKING' | 'PREDICTED';

/** The human map of the API's points, pooled as the API pools them (its sigma and scoring frame). */
export function humanReference(h: HumanAttention): HumanMap {
  return humanMap(h.people, h.imageWidth, h.imageHeight, { sigmaFraction: h.sigma / Math.max(h.imageWidth, h.imageHeight), maxSide: h.maxSide });
}

/** The predicted fixation density of the image as the model saw it (spectral residual on the model's view). */
export function predictedReference(pixels: ImageData, view: ModelView): FloatMap {
  return predictedDensity(resizeForModel({ data: pixels.data, width: pixels.width, height: pixels.height, channels: 4 }, view));
}

/** Scores of a final map (model input grid) against people, the map brought back onto the image. */
export function alignHuman(map: FloatMap, view: ModelView, human: HumanMap): AlignmentScore[] {
  return alignToHuman(map, view, human);
}

/** Scores of a final map against the predicted density of the same view (density metrics only). */
export function alignPredicted(map: FloatMap, density: FloatMap): AlignmentScore[] {
  return alignToPredicted(map, density);
}

/**
 * The human density over the displayed picture (the model's region of the image, `view` null: all of
 * it) at width × height, bilinear from the scoring frame, scaled to [0, 1] for the colormap.
 */
export function humanOverlay(human: HumanMap, view: ModelView | null, width: number, height: number): FloatMap {
  const { imageWidth: W, imageHeight: H, density } = human;
  const r = view ? viewRect(W, H, view) : { x: 0, y: 0, width: W, height: H };
  const sx = density.width / W;
  const sy = density.height / H;
  const values = new Float32Array(width * height);
  const d = density.values;
  let max = 0;
  for (let j = 0; j < height; j++) {
    // display pixel centre → image coordinate → frame pixel coordinate (pixel-centre geometry)
    const fy = Math.min(density.height - 1, Math.max(0, (r.y + ((j + 0.5) / height) * r.height) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(density.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let i = 0; i < width; i++) {
      const fx = Math.min(density.width - 1, Math.max(0, (r.x + ((i + 0.5) / width) * r.width) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(density.width - 1, x0 + 1);
      const wx = fx - x0;
      const top = d[y0 * density.width + x0] * (1 - wx) + d[y0 * density.width + x1] * wx;
      const bottom = d[y1 * density.width + x0] * (1 - wx) + d[y1 * density.width + x1] * wx;
      const v = top * (1 - wy) + bottom * wy;
      values[j * width + i] = v;
      if (v > max) max = v;
    }
  }
  if (max > 0) for (let k = 0; k < values.length; k++) values[k] /= max;
  return { width, height, values };
}
