// A human attention map from the points of several people on one image (crowd clicks or eye-tracking
// fixations, one list per person), in a scoring frame: the image scaled down to at most `maxSide`
// pixels on its longer side (human maps are smooth, and every metric is linear or better in the pixel
// count), with the density sigma a fraction of the image's longer side (OSIE's 24 px on 800 px ≈ 1° of
// visual angle = 0.03). Points are mapped with pixel-centre geometry, x' = (x + 0.5)·s − 0.5, the way
// an image is resized; points outside the image are dropped. The agreement between people is the
// human ceiling (metrics/human-ceiling.ts) of those lists: split-half and leave-one-out.
import type { FloatMap } from '../cam/types.js';
import { densityMap, fixationMap } from '../fixations/density.js';
import type { Fixation } from '../fixations/types.js';
import { humanCeiling, type HumanCeiling } from '../metrics/human-ceiling.js';

/** Default density sigma as a fraction of the image's longer side (OSIE: 24 px of 800). */
export const HUMAN_MAP_SIGMA = 0.03;
/** Default longer side of the scoring frame, in pixels. */
export const HUMAN_MAP_MAX_SIDE = 400;
/** The agreement metrics reported by default (cheap and the most read; sAUC needs other images). */
export const AGREEMENT_METRICS = Object.freeze(['cc', 'nss', 'auc-judd', 'sim']);
/** People left out in turn at most (a sample of a larger crowd), so agreement costs at most this many scorings plus the splits. */
export const AGREEMENT_LEAVE_ONE_OUT = 30;

export interface HumanMapOptions {
  /** Density sigma as a fraction of the image's longer side (default HUMAN_MAP_SIGMA). */
  sigmaFraction?: number;
  /** Longer side of the scoring frame (default HUMAN_MAP_MAX_SIDE); an image no larger is kept as is. */
  maxSide?: number;
}

export interface HumanMap {
  imageWidth: number;
  imageHeight: number;
  /** The scoring frame. */
  width: number;
  height: number;
  /** Frame pixels per image pixel (≤ 1). */
  scale: number;
  /** Density sigma in image pixels, and in frame pixels. */
  sigma: number;
  frameSigma: number;
  /** Each person's points in frame coordinates (people without a point inside the image left out). */
  observers: Fixation[][];
  /** All points: the density (sums to 1) and the fixation counts, in the frame. */
  density: FloatMap;
  fixationMap: FloatMap;
}

function checkSize(width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`a human map needs a positive integer image size, not ${width}×${height}`);
  }
}

/** The human map of `people` (one list of points per person, 0-based image pixels) on a width × height image. */
export function humanMap(people: readonly (readonly Fixation[])[], imageWidth: number, imageHeight: number, options: HumanMapOptions = {}): HumanMap {
  checkSize(imageWidth, imageHeight);
  const sigmaFraction = options.sigmaFraction ?? HUMAN_MAP_SIGMA;
  const maxSide = options.maxSide ?? HUMAN_MAP_MAX_SIDE;
  if (!(sigmaFraction >= 0 && Number.isFinite(sigmaFraction))) throw new RangeError(`sigmaFraction must be ≥ 0, not ${sigmaFraction}`);
  if (!(Number.isSafeInteger(maxSide) && maxSide >= 1)) throw new RangeError(`maxSide must be a positive integer, not ${maxSide}`);
  const longer = Math.max(imageWidth, imageHeight);
  const scale = Math.min(1, maxSide / longer);
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  const sx = width / imageWidth;
  const sy = height / imageHeight;
  const inside = (p: Fixation) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= -0.5 && p.y >= -0.5 && p.x < imageWidth - 0.5 && p.y < imageHeight - 0.5;
  const observers = people
    .map((points) => points.filter(inside).map((p): Fixation => ({ ...p, x: (p.x + 0.5) * sx - 0.5, y: (p.y + 0.5) * sy - 0.5 })))
    .filter((points) => points.length > 0);
  const sigma = sigmaFraction * longer;
  const frameSigma = sigma * scale;
  const all = observers.flat();
  // points on the frame's last half pixel round to the pixel beyond it: clamp them back
  const px = { outOfBounds: 'clamp' as const };
  return {
    imageWidth, imageHeight, width, height, scale, sigma, frameSigma, observers,
    density: densityMap(all, width, height, { sigma: frameSigma, ...px }),
    fixationMap: fixationMap(all, width, height, px),
  };
}

export interface AgreementOptions {
  metrics?: readonly string[];
  /** Split-half repetitions (default 10). */
  repetitions?: number;
  /** People left out in turn at most (default AGREEMENT_LEAVE_ONE_OUT). */
  leaveOneOutLimit?: number;
  seed?: number;
}

/** How well the people of a human map agree with one another (the human ceiling); null with fewer than 2. */
export function humanAgreement(human: HumanMap, options: AgreementOptions = {}): HumanCeiling | null {
  if (human.observers.length < 2) return null;
  return humanCeiling(human.observers, human.width, human.height, {
    sigma: human.frameSigma,
    metrics: options.metrics ?? AGREEMENT_METRICS,
    repetitions: options.repetitions,
    leaveOneOutLimit: options.leaveOneOutLimit ?? AGREEMENT_LEAVE_ONE_OUT,
    seed: options.seed,
    outOfBounds: 'clamp',
  });
}
