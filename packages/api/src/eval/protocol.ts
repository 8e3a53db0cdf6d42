// The scoring protocol of a leaderboard: everything that decides a stored score's value apart from the
// row (model, layer, method, target) and the metric. Runs with the same protocol share their scores
// (a resumed or extended run computes only what is missing); changing any field gives a new key.
import { createHash } from 'node:crypto';
import { AUC_SPLITS, AUC_STEP, DEFAULT_TOP_P } from '@saliency-explainer/core';

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

/** JSON with object keys sorted at every level, so equal protocols hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The protocol's key: the first 16 hex digits of the sha256 of its canonical JSON. */
export function protocolKey(p: EvalProtocol): string {
  return createHash('sha256').update(canonical(p)).digest('hex').slice(0, 16);
}
