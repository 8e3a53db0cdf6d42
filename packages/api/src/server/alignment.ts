// How well a heatmap agrees with human attention on its image (core/metrics), for the API. The
// reference is the best one available for the image; until crowd annotations and imported eye
// tracking are stored, that is a predicted fixation density: the spectral-residual model, the best
// bottom-up predictor on OSIE by shuffled AUC (see the leaderboard). A density reference supports
// CC, SIM, KL, MAE and IoU; the fixation metrics (AUC, NSS) need real fixations and are skipped.
import { postprocess, scoreAll, spectralResidual, type AlignmentScore, type FloatMap, type RgbImage } from '@saliency-explainer/core';
import type { HeatmapRecord } from '../storage/types.js';

export type ReferenceKind = 'CROWD' | 'EYE_TRACKING' | 'PREDICTED';

export interface Alignment {
  reference: ReferenceKind;
  /** What the reference is, in words. */
  source: string;
  scores: AlignmentScore[];
}

/** Predicted densities by view: the service caches one view object per (image, model), so every
 * heatmap of an image shares one spectral residual. */
const predicted = new WeakMap<RgbImage, FloatMap>();

/** The metrics a predicted density supports, in the order they are reported. */
export const DENSITY_METRICS = ['cc', 'sim', 'kl', 'mae', 'iou'] as const;

/**
 * Scores of the heatmap's final map against the reference, both on the image as the model saw it
 * (`view`, the model's input size), so no resampling is involved.
 */
export function alignmentOf(h: HeatmapRecord, view: RgbImage, metrics: readonly string[] = DENSITY_METRICS): Alignment {
  const { map } = postprocess(h.raw, h.height, h.width, view.height, view.width);
  let density = predicted.get(view);
  if (!density) {
    density = spectralResidual(view);
    predicted.set(view, density);
  }
  return {
    reference: 'PREDICTED',
    source: 'spectral residual (Hou & Zhang 2007) of the image as the model saw it',
    scores: scoreAll(map, { density }, { metrics }),
  };
}
