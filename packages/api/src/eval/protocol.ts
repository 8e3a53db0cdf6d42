// The scoring protocols of a leaderboard: everything that decides a stored score's value apart from the
// row (model, layer, method, target) and the metric. Runs with the same protocol share their scores
// (a resumed or extended run computes only what is missing); changing any field gives a new key.
// Alignment scores and faithfulness scores each have their own protocol, holding only what decides
// them: a new ROAD seed does not orphan NSS scores, a new σ does not orphan deletion scores, and the
// alignment key is the one it was before faithfulness columns existed (stored scores stay valid).
import { createHash } from 'node:crypto';
import { AUC_SPLITS, AUC_STEP, DEFAULT_TOP_P, ROAD_NOISE, ROAD_PERCENTILES } from '@saliency-explainer/core';

export interface EvalProtocol {
  /** Bumped when the scoring code changes what a score means. */
  version: 1;
  dataset: string;
  /** Density maps: Gaussian sigma in pixels (OSIE: 24 px ≈ 1° of visual angle). */
  sigma: number;
  /** IoU's p (top p % of each map). */
  topP: number;
  /** Seed of AUC-Judd's jitter and of AUC-Borji's / sAUC's draws, the same for every map of an image. */
  seed: number;
  /** AUC-Borji / sAUC splits and threshold step. */
  splits: number;
  step: number;
  /** Shuffled AUC's negatives: the fixations of this many other images of the data set (seeded choice). */
  shuffledImages: number;
  /** Human ceiling: random split-half repetitions per image. */
  ceilingRepetitions: number;
  /** The class a model row explains. */
  classRule: 'top1';
  /** How a model-input-size map is taken back to the image (see mapping.ts). */
  mapping: 'inverse-input-spec-bilinear';
}

export function defaultProtocol(dataset: string, overrides: Partial<Pick<EvalProtocol, 'sigma' | 'topP' | 'seed' | 'shuffledImages' | 'ceilingRepetitions'>> = {}): EvalProtocol {
  return {
    version: 1,
    dataset,
    sigma: overrides.sigma ?? 24,
    topP: overrides.topP ?? DEFAULT_TOP_P,
    seed: overrides.seed ?? 0,
    splits: AUC_SPLITS,
    step: AUC_STEP,
    shuffledImages: overrides.shuffledImages ?? 10,
    ceilingRepetitions: overrides.ceilingRepetitions ?? 10,
    classRule: 'top1',
    mapping: 'inverse-input-spec-bilinear',
  };
}

/** What decides a faithfulness score (besides the row, the image and the column). */
export interface FaithfulnessProtocol {
  /** Bumped when the faithfulness code changes what a score means. */
  faithfulnessVersion: 1;
  dataset: string;
  /** The class the map explains and the measures score (the model's prediction). */
  classRule: 'top1';
  /** The measures read the class's softmax probability of each perturbed input. */
  score: 'softmax';
  /** Deletion/insertion: pixels per step = the input's width × stepRows (RISE: 224 × 8 = 1,792). */
  stepRows: number;
  /** ROAD's percentiles, imputation noise and noise seed (the protocol's seed). */
  roadPercentiles: number[];
  roadNoise: number;
  seed: number;
}

/** Rows of the input moved per deletion/insertion step (RISE's and core's default). */
export const DELETION_STEP_ROWS = 8;

export function defaultFaithfulnessProtocol(dataset: string, overrides: Partial<Pick<FaithfulnessProtocol, 'seed'>> = {}): FaithfulnessProtocol {
  return {
    faithfulnessVersion: 1,
    dataset,
    classRule: 'top1',
    score: 'softmax',
    stepRows: DELETION_STEP_ROWS,
    roadPercentiles: [...ROAD_PERCENTILES],
    roadNoise: ROAD_NOISE,
    seed: overrides.seed ?? 0,
  };
}

/** core's measureFaithfulness options for an input `width` pixels wide. */
export function faithfulnessOptions(p: FaithfulnessProtocol, width: number, batchSize: number) {
  return { step: width * p.stepRows, roadPercentiles: p.roadPercentiles, roadNoise: p.roadNoise, seed: p.seed, batchSize };
}

/** JSON with object keys sorted at every level, so equal protocols hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The protocol's key: the first 16 hex digits of the sha256 of its canonical JSON. */
export function protocolKey(p: EvalProtocol | FaithfulnessProtocol): string {
  return createHash('sha256').update(canonical(p)).digest('hex').slice(0, 16);
}
