// How well a heatmap agrees with human attention on its image, for the API's Heatmap.alignment. The
// reference is the best one the image has: its crowd annotations (BubbleView clicks), else imported
// eye tracking, else a predicted fixation density (the spectral-residual model, the best bottom-up
// predictor on OSIE by shuffled AUC; see the leaderboard). The scoring itself is core's
// (metrics/align.ts), the same code the widget's badges run.
import {
  alignToHuman, alignToPredicted, postprocess, predictedDensity, type AlignmentScore, type FloatMap, type HumanMap, type InputSpec, type RgbImage,
} from '@saliency-explainer/core';
import type { HeatmapRecord } from '../storage/types.js';

export type ReferenceKind = 'CROWD' | 'EYE_TRACKING' | 'PREDICTED';
export type HumanSource = Exclude<ReferenceKind, 'PREDICTED'>;

export interface Alignment {
  reference: ReferenceKind;
  /** What the reference is, in words. */
  source: string;
  /** People behind a human reference; 0 for PREDICTED. */
  annotators: number;
  scores: AlignmentScore[];
}

/** What alignmentOf needs to know about the heatmap's image and model. */
export interface AlignmentInputs {
  /** The model's input spec (the map's grid and how the image was fitted to it). */
  input: InputSpec;
  /** The image as the model saw it (for the predicted density). */
  view: () => Promise<RgbImage>;
  /** The image's pooled human map of one source, null when it has none. */
  human: (source: HumanSource) => Promise<HumanMap | null>;
  /** core's alignToHuman, wherever it runs (the server: its scoring worker). */
  alignToHuman?: (map: FloatMap, input: InputSpec, human: HumanMap, metrics?: readonly string[]) => Promise<AlignmentScore[]>;
}

/** Thrown when the requested reference does not exist for the image. */
export class NoReferenceError extends Error {
  constructor(readonly reference: ReferenceKind) {
    super(`the image has no ${reference === 'CROWD' ? 'crowd annotations' : 'imported eye tracking'}`);
    this.name = 'NoReferenceError';
  }
}

/** Predicted densities by view: the service caches one view object per (image, model), so every heatmap of an image shares one. */
const predicted = new WeakMap<RgbImage, FloatMap>();

const SOURCE_TEXT: Record<HumanSource, (n: number) => string> = {
  CROWD: (n) => `BubbleView clicks of ${n} annotator${n === 1 ? '' : 's'} on this image`,
  EYE_TRACKING: (n) => `eye-tracking fixations of ${n} observer${n === 1 ? '' : 's'} on this image`,
};

/**
 * Scores of the heatmap's final map against `want`, or the best reference available: CROWD, then
 * EYE_TRACKING, then PREDICTED. Against people the map is brought back onto the image (core's
 * alignToHuman); against the prediction both live on the model's input grid.
 */
export async function alignmentOf(h: HeatmapRecord, inputs: AlignmentInputs, metrics?: readonly string[], want?: ReferenceKind): Promise<Alignment> {
  const { map } = postprocess(h.raw, h.height, h.width, inputs.input.height, inputs.input.width);
  const order: HumanSource[] = want === 'PREDICTED' ? [] : want ? [want] : ['CROWD', 'EYE_TRACKING'];
  for (const source of order) {
    const human = await inputs.human(source);
    if (!human || human.observers.length === 0) continue;
    const n = human.observers.length;
    const scores = inputs.alignToHuman ? await inputs.alignToHuman(map, inputs.input, human, metrics) : alignToHuman(map, inputs.input, human, { metrics });
    return { reference: source, source: SOURCE_TEXT[source](n), annotators: n, scores };
  }
  if (want && want !== 'PREDICTED') throw new NoReferenceError(want);
  const view = await inputs.view();
  let density = predicted.get(view);
  if (!density) {
    density = predictedDensity(view);
    predicted.set(view, density);
  }
  return {
    reference: 'PREDICTED',
    source: 'spectral residual (Hou & Zhang 2007) of the image as the model saw it',
    annotators: 0,
    scores: alignToPredicted(map, density, { metrics }),
  };
}
