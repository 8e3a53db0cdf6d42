// How well a heatmap agrees with human attention on its image, for the API's Heatmap.alignment. The
// reference is the best one the image has: its crowd annotations (BubbleView clicks of people looking
// for the heatmap's class, else of people describing the image), else imported
// eye tracking, else a predicted fixation density (the spectral-residual model, the best bottom-up
// predictor on OSIE by shuffled AUC; see the leaderboard). The scoring itself is core's
// (metrics/align.ts), the same code the widget's badges run.
import {
  alignToHuman, alignToPredicted, postprocess, predictedDensity, type AlignmentScore, type FloatMap, type HumanMap, type InputSpec, type RgbImage,
} from '@saliency-explainer/core';
import type { TaskFilter } from '../annotations/human-attention.js';
import type { HeatmapRecord } from '../storage/types.js';

export type ReferenceKind = 'CROWD' | 'EYE_TRACKING' | 'PREDICTED';
export type HumanSource = Exclude<ReferenceKind, 'PREDICTED'>;

export interface Alignment {
  reference: ReferenceKind;
  /** What the reference is, in words. */
  source: string;
  /** People behind a human reference; 0 for PREDICTED. */
  annotators: number;
  /** The crowd task of a CROWD reference; null otherwise. */
  task: 'DESCRIBE' | 'FIND' | null;
  scores: AlignmentScore[];
}

/** What alignmentOf needs to know about the heatmap's image and model. */
export interface AlignmentInputs {
  /** The model's input spec (the map's grid and how the image was fitted to it). */
  input: InputSpec;
  /** The image as the model saw it (for the predicted density). */
  view: () => Promise<RgbImage>;
  /** The model of the heatmap's explanation (the FIND annotations of its class are for its labels). */
  model: string;
  /** The image's pooled human map of one source (and crowd task), null when it has none. */
  human: (source: HumanSource, filter?: TaskFilter) => Promise<HumanMap | null>;
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

const people = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The references to try, best first, for a heatmap of class `c` (label `label`) of `model`. */
function candidates(want: ReferenceKind | undefined, h: HeatmapRecord, model: string): { source: HumanSource; filter?: TaskFilter; text: (n: number) => string }[] {
  const crowd = [
    { source: 'CROWD' as const, filter: { task: 'FIND' as const, classIndex: h.classIndex, model }, text: (n: number) => `BubbleView clicks of ${people(n, 'annotator', 'annotators')} looking for the ${h.label} in this image` },
    { source: 'CROWD' as const, filter: { task: 'DESCRIBE' as const }, text: (n: number) => `BubbleView clicks of ${people(n, 'annotator', 'annotators')} telling what this image shows` },
  ];
  const eye = [{ source: 'EYE_TRACKING' as const, text: (n: number) => `eye-tracking fixations of ${people(n, 'observer', 'observers')} on this image` }];
  if (want === 'PREDICTED') return [];
  if (want === 'CROWD') return crowd;
  if (want === 'EYE_TRACKING') return eye;
  return [...crowd, ...eye];
}

/** The human reference a heatmap is scored against, with what it is in words. */
export interface HumanReferenceChoice {
  reference: HumanSource;
  source: string;
  task: 'DESCRIBE' | 'FIND' | null;
  human: HumanMap;
}

/**
 * The best human reference of the heatmap's image (`want` restricts it to one kind): the crowd's
 * clicks looking for its class, then the crowd describing the image, then eye tracking; null when the
 * image has none. Alignment scores and captions' human facts use the same choice.
 */
export async function bestHumanReference(h: HeatmapRecord, model: string, human: AlignmentInputs['human'], want?: ReferenceKind): Promise<HumanReferenceChoice | null> {
  for (const c of candidates(want, h, model)) {
    const map = await human(c.source, c.filter);
    if (!map || map.observers.length === 0) continue;
    return { reference: c.source, source: c.text(map.observers.length), task: c.filter?.task ?? null, human: map };
  }
  return null;
}

/**
 * Scores of the heatmap's final map against `want`, or the best reference available: the crowd's
 * clicks looking for the heatmap's class, then the crowd's clicks describing the image (attention
 * depends on the task; clicks looking for another class are no reference for this one), then
 * EYE_TRACKING, then PREDICTED. Against people the map is brought back onto the image (core's
 * alignToHuman); against the prediction both live on the model's input grid.
 */
export async function alignmentOf(h: HeatmapRecord, inputs: AlignmentInputs, metrics?: readonly string[], want?: ReferenceKind): Promise<Alignment> {
  const { map } = postprocess(h.raw, h.height, h.width, inputs.input.height, inputs.input.width);
  const best = await bestHumanReference(h, inputs.model, inputs.human, want);
  if (best) {
    const { human } = best;
    const scores = inputs.alignToHuman ? await inputs.alignToHuman(map, inputs.input, human, metrics) : alignToHuman(map, inputs.input, human, { metrics });
    return { reference: best.reference, source: best.source, annotators: human.observers.length, task: best.task, scores };
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
    task: null,
    scores: alignToPredicted(map, density, { metrics }),
  };
}
