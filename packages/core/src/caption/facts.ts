// Caption facts: what the engine measured about one map of one image, each with its numbers. A
// caption's text quotes these and nothing else (render-en.ts); a free-text captioner's phrase would be
// a separate field, never a fact. Boxes are [x0, y0, x1, y1] in the input image's pixels (pixel i
// covers [i, i + 1)); probabilities and shares are 0..1.
import type { Box } from '../detect/types.js';

/** The class the map explains: its softmax probability and rank (1 = the model's top class). */
export interface PredictionFact {
  kind: 'prediction';
  classIndex: number;
  label: string;
  probability: number;
  rank: number;
}

/** Where a region lies, in words derived from its centroid (thirds of the image) and its area. */
export type Position =
  | 'top left' | 'top' | 'top right' | 'left' | 'centre' | 'right' | 'bottom left' | 'bottom' | 'bottom right'
  | 'most of the image';

/** The strong part of the map: its pixels at or above `level` × the map's maximum. */
export interface WhereFact {
  kind: 'where';
  position: Position;
  /** Bounding box of the strong pixels. */
  box: Box;
  /** Share of the image's area the strong pixels cover. */
  area: number;
  /** The strong pixels' centroid weighted by the map, as fractions of the image's width and height. */
  centroid: [number, number];
  level: number;
}

/** A detected object and the share of the map's mass inside its box. */
export interface ObjectFact {
  kind: 'object';
  classIndex: number;
  label: string;
  /** The detector's score. */
  score: number;
  box: Box;
  /** Σ map inside the box / Σ map over the image. */
  mass: number;
  /**
   * The object the evidence is on: the box with the most mass, or, where a box lies within it
   * (≥ 90 % of its area) and holds at least half as much, that more specific box (a cup on a table),
   * repeatedly. Exactly one object fact is main; it comes first, the others by mass.
   */
  main: boolean;
  /** Pointing game: the map's maximum lies inside the box. */
  hit: boolean;
}

/** The image cropped to the strong part of the map (padded) and classified again. */
export interface CropFact {
  kind: 'crop';
  box: Box;
  probability: number;
  rank: number;
  /** The class is still the top class of the crop. */
  survives: boolean;
}

/** The most salient `fraction` of the input's pixels replaced by the blurred input. */
export interface DeletionFact {
  kind: 'deletion';
  before: number;
  after: number;
  fraction: number;
}

/** The control: as many pixels in a seeded random square region (mostly outside the deleted ones), blurred the same way. */
export interface ControlFact {
  kind: 'control';
  before: number;
  after: number;
  fraction: number;
  /** The square's bounding box on the model's input grid (input pixels, not image pixels). */
  region: Box;
  /** Share of the control's pixels that are also among the deleted most salient ones. */
  overlap: number;
  seed: number;
}

/** Another explained class: does its evidence lie where this map's does? */
export interface ContrastFact {
  kind: 'contrast';
  classIndex: number;
  label: string;
  probability: number;
  /** IoU of the two maps' top-`fraction` regions on the model's grid. */
  overlap: number;
  fraction: number;
  /** The detected object holding most of the other map's mass, if any was detected. */
  object?: { label: string; box: Box; mass: number };
}

/** Agreement of the map with people's attention on the image, against the human ceiling. */
export interface HumanFact {
  kind: 'human';
  source: 'crowd' | 'eye-tracking';
  metric: string;
  score: number;
  /** The people's split-half agreement on the same metric. */
  ceiling: number;
  /** score / ceiling. */
  share: number;
  people: number;
}

export type CaptionFact = PredictionFact | WhereFact | ObjectFact | CropFact | DeletionFact | ControlFact | ContrastFact | HumanFact;
export type CaptionFactKind = CaptionFact['kind'];

/**
 * What a free-text image-to-text model (a captioner) said about the salient crop: quoted apart
 * from the facts, never one of them — nothing in it was measured.
 */
export interface CaptionerPhrase {
  /** The captioner, as its user named it (its folder's name). */
  model: string;
  text: string;
}

/** A caption: the text a renderer made from the facts (and the captioner's phrase, quoted), the facts, the phrase. */
export interface Caption {
  text: string;
  facts: CaptionFact[];
  captioner?: CaptionerPhrase;
}

export class CaptionError extends Error {
  constructor(readonly code: 'BAD_MAP' | 'BAD_INPUT' | 'BAD_CLASS' | 'BAD_OPTION' | 'BAD_MODEL_OUTPUT', message: string) {
    super(message);
    this.name = 'CaptionError';
  }
}
