// The human ceiling of an image: how well one group of observers predicts another, scored with the
// same metrics as a model, so a model's score can be read against what humans achieve.
//
// * Split-half: the observers (those with at least one fixation) are shuffled with a seeded
//   generator and cut in two, the first ⌊n/2⌋ and the rest (7 and 8 of OSIE's 15). The first half's
//   density map is the "saliency map"; the second half's fixation map and density map are the
//   reference. Repeated `repetitions` times (default 10) with fresh random halves; each repetition's
//   metric draws use seed + repetition.
// * Leave-one-observer-out: each observer in turn is the reference (their fixation and density maps),
//   the density map of all the others the prediction (the usual inter-observer agreement of
//   eye-tracking studies); observer i's metric draws use seed + i. With more than
//   `leaveOneOutLimit` observers (a crowd can be thousands), a seeded random sample of that many
//   observers is left out in turn (each still predicted by all the others): an unbiased estimate of
//   the same mean at a bounded cost.
// Per metric: mean, sample standard deviation (N − 1) and count n of the defined values (scores
// that scoreAll returns as null are left out). Metrics: `metrics`, by default all of them, sAUC
// only when other images' fixations are given.
// Density maps are sums of per-observer maps (blurring is linear), each built once with `sigma`.
import type { BlurOptions } from '../fixations/gaussian.js';
import { densityValues, fixationMap } from '../fixations/density.js';
import type { Fixation, OutOfBounds } from '../fixations/types.js';
import type { FloatMap } from '../cam/types.js';
import { randomSubset, seededRandom } from './random.js';
import { alignmentMetrics, getAlignmentMetric, scoreAll, type AlignmentReference, type ScoreOptions } from './registry.js';

export interface HumanCeilingOptions extends ScoreOptions, BlurOptions {
  /** Density sigma in pixels (OSIE: 24). */
  sigma: number;
  /** Random split-half repetitions (default 10). */
  repetitions?: number;
  /** Most observers left out in turn (default: all); more are sampled down to this many. */
  leaveOneOutLimit?: number;
  /** Fixations of other images in this image's frame, for shuffled AUC (skipped without). */
  otherFixations?: readonly Fixation[];
  outOfBounds?: OutOfBounds;
}

export interface CeilingStat {
  mean: number;
  std: number;
  n: number;
}

export interface HumanCeiling {
  /** Observers with at least one fixation (those taking part). */
  observers: number;
  splitHalf: Record<string, CeilingStat>;
  leaveOneOut: Record<string, CeilingStat>;
}

function stats(values: number[]): CeilingStat {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

function sum(maps: Float64Array[], members: ArrayLike<number>, size: number): Float32Array {
  const acc = new Float64Array(size);
  for (let m = 0; m < members.length; m++) {
    const v = maps[members[m]];
    for (let i = 0; i < size; i++) acc[i] += v[i];
  }
  return Float32Array.from(acc);
}

export function humanCeiling(observers: readonly (readonly Fixation[])[], width: number, height: number, options: HumanCeilingOptions): HumanCeiling {
  const repetitions = options.repetitions ?? 10;
  if (!Number.isSafeInteger(repetitions) || repetitions < 1) throw new RangeError(`repetitions must be a positive integer, not ${repetitions}`);
  const present = observers.filter((o) => o.length > 0);
  const n = present.length;
  if (n < 2) throw new RangeError(`a human ceiling needs at least 2 observers with fixations, not ${n}`);
  // default: every metric whose data we have (sAUC only given other images' fixations)
  const metrics = options.metrics ?? alignmentMetrics.filter((m) => !m.needsOtherFixations || options.otherFixations).map((m) => m.id);
  for (const id of metrics) {
    if (getAlignmentMetric(id).needsOtherFixations && !options.otherFixations) throw new RangeError(`${id} needs otherFixations`);
  }
  const size = width * height;
  const blur = { sigma: options.sigma, truncate: options.truncate, border: options.border, outOfBounds: options.outOfBounds, normalize: 'none' as const };
  const densities = present.map((o) => densityValues(o, width, height, blur));
  const counts = present.map((o) => Float64Array.from(fixationMap(o, width, height, { outOfBounds: options.outOfBounds }).values));
  const other = options.otherFixations ? fixationMap(options.otherFixations, width, height, { outOfBounds: options.outOfBounds }) : undefined;
  const map = (values: Float32Array): FloatMap => ({ width, height, values });

  const collect = (into: Map<string, number[]>, prediction: FloatMap, reference: AlignmentReference, seed: number) => {
    for (const s of scoreAll(prediction, reference, { ...options, metrics, seed })) {
      if (!into.has(s.id)) into.set(s.id, []);
      if (s.value !== null) into.get(s.id)?.push(s.value);
    }
  };
  const baseSeed = options.seed ?? 0;

  const split = new Map<string, number[]>();
  const random = seededRandom(baseSeed);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const half = Math.floor(n / 2);
  for (let rep = 0; rep < repetitions; rep++) {
    const order = randomSubset(random, all, n);
    const a = order.subarray(0, half);
    const b = order.subarray(half);
    collect(split, map(sum(densities, a, size)), { fixationMap: map(sum(counts, b, size)), density: map(sum(densities, b, size)), otherFixationMap: other }, baseSeed + rep);
  }

  const loo = new Map<string, number[]>();
  const limit = options.leaveOneOutLimit ?? n;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`leaveOneOutLimit must be a positive integer, not ${limit}`);
  const leftOut = n <= limit ? all : Int32Array.from(randomSubset(seededRandom(baseSeed + 0x5eed), all, limit)).sort();
  for (const i of leftOut) {
    const rest = all.filter((j) => j !== i);
    collect(loo, map(sum(densities, rest, size)), { fixationMap: map(Float32Array.from(counts[i])), density: map(Float32Array.from(densities[i])), otherFixationMap: other }, baseSeed + i);
  }

  const table = (m: Map<string, number[]>) => Object.fromEntries([...m].map(([id, v]) => [id, stats(v)]));
  return { observers: n, splitHalf: table(split), leaveOneOut: table(loo) };
}
