// A model's heatmap against the human reference of its image, the one scoring used by the API's
// Heatmap.alignment and the widget's badges (so both give the same numbers):
// * against people (crowd clicks, eye tracking): the final map (model input grid) is brought back onto
//   the image the way the model's input was made from it (image/map-to-image.ts), at the human map's
//   scoring frame, and scored with every metric but shuffled AUC (which needs other images);
// * against a prediction (no human data): the spectral-residual density of the image as the model saw
//   it, on the model's grid; only the density metrics apply.
import type { HumanMap } from '../annotation/human-map.js';
import { spectralResidual } from '../bottom-up/spectral-residual.js';
import type { FloatMap } from '../cam/types.js';
import { mapToImage } from '../image/map-to-image.js';
import type { RgbImage } from '../image/types.js';
import type { InputGeometry } from '../model/spec.js';
import { scoreAll, type AlignmentScore, type ScoreOptions } from './registry.js';

/** Metrics scored against a human reference by default. */
export const HUMAN_ALIGNMENT_METRICS = Object.freeze(['auc-judd', 'auc-borji', 'nss', 'cc', 'sim', 'kl', 'mae', 'iou']);
/** Metrics scored against a predicted density by default (the fixation metrics need real fixations). */
export const PREDICTED_ALIGNMENT_METRICS = Object.freeze(['cc', 'sim', 'kl', 'mae', 'iou']);

/** Scores of `map` (the final map on the model's input grid) against people's attention on the image. */
export function alignToHuman(map: FloatMap, input: InputGeometry, human: HumanMap, options: ScoreOptions = {}): AlignmentScore[] {
  const onImage = mapToImage(map, input, human.width, human.height);
  return scoreAll(onImage, { fixationMap: human.fixationMap, density: human.density }, { ...options, metrics: options.metrics ?? HUMAN_ALIGNMENT_METRICS });
}

/** The predicted fixation density of the image as the model saw it (spectral residual, Hou & Zhang 2007). */
export function predictedDensity(view: RgbImage): FloatMap {
  return spectralResidual(view);
}

/** Scores of `map` against a predicted density of the model's view (`predictedDensity(view)`). */
export function alignToPredicted(map: FloatMap, density: FloatMap, options: ScoreOptions = {}): AlignmentScore[] {
  return scoreAll(map, { density }, { ...options, metrics: options.metrics ?? PREDICTED_ALIGNMENT_METRICS });
}
