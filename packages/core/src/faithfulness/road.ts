// ROAD, RemOve And Debias (Rong et al. 2022), as pytorch-grad-cam 1.5.5 computes it
// (metrics/road.py, perturbation_confidence.py):
// * ROADMostRelevantFirst(percentile p): t = np.percentile(map, p) (linear interpolation), pixels with
//   map < t are kept and the others — the (100 − p) % most relevant — imputed (noisy-linear-imputer.ts);
// * ROADLeastRelevantFirst(p): the same on 1 − map, so the (100 − p) % least relevant are imputed;
// * the value is the confidence change score(imputed) − score(input) of the class's softmax
//   probability (ClassifierOutputSoftmaxTarget); a faithful map makes MoRF negative and LeRF ≈ 0;
// * ROADCombined: (mean over p of LeRF − mean over p of MoRF) / 2 (higher is better).
// The keys of `morf` / `lerf` are pytorch-grad-cam's `percentile` argument (20 imputes 80 %).
// The map is read as float32 (pytorch-grad-cam's cams are float32 arrays); so is 1 − map.
import type { FloatMap } from '../cam/types.js';
import { seededRandom } from '../metrics/random.js';
import { checkMapFor } from './deletion-insertion.js';
import { noisyLinearImpute, normalSampler, ROAD_NOISE } from './noisy-linear-imputer.js';
import type { ChwShape } from './perturb.js';
import { FaithfulnessError, scoreList, type ScoreFn } from './score.js';

export const ROAD_PERCENTILES = [20, 40, 60, 80] as const;

export type RoadOrder = 'morf' | 'lerf';

export interface RoadResult {
  /** Confidence change per percentile, keyed by the percentile ("20", …). */
  morf: Record<string, number>;
  lerf: Record<string, number>;
  combined: number;
}

export interface RoadOptions {
  percentiles?: readonly number[];
  /** Noise of the imputation (default 0.01). */
  noise?: number;
  /** Seed of the imputation noise (default 0). */
  seed?: number;
  batchSize?: number;
}

/** numpy.percentile(values, p) with its default linear interpolation, in float64. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], not ${p}`);
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const pos = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  // numpy's _lerp: a + (b − a)·t below t = 0.5, b − (b − a)·(1 − t) from there
  const d = sorted[hi] - sorted[lo];
  return t < 0.5 ? sorted[lo] + d * t : sorted[hi] - d * (1 - t);
}

/** 1 = kept, 0 = imputed: RemoveMostRelevantFirst / RemoveLeastRelevantFirst's binary mask. */
export function roadKeepMask(map: FloatMap, p: number, order: RoadOrder): Uint8Array {
  const v = order === 'morf' ? map.values : map.values.map((m) => 1 - m); // Float32Array.map rounds to float32
  const t = Math.fround(percentile(v, p));
  return Uint8Array.from(v, (m) => (m < t ? 1 : 0));
}

/** MoRF and LeRF confidence changes at each percentile, and ROAD-combined. */
/** Resolves on a later task of the event loop (a macrotask: timers, input and rendering get their turn). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function road(
  score: ScoreFn, input: Float32Array, shape: ChwShape, map: FloatMap, classIndex: number, options: RoadOptions = {},
): Promise<RoadResult> {
  checkMapFor(map, shape);
  const percentiles = options.percentiles ?? ROAD_PERCENTILES;
  if (!percentiles.length || percentiles.some((p) => !(p > 0 && p < 100))) {
    throw new FaithfulnessError('BAD_OPTION', `ROAD percentiles must be in (0, 100), not [${percentiles.join(', ')}]`);
  }
  // one noise stream for all imputations, in the order MoRF then LeRF, percentiles ascending as given
  const normal = normalSampler(seededRandom(options.seed ?? 0));
  const noise = options.noise ?? ROAD_NOISE;
  const orders: RoadOrder[] = ['morf', 'lerf'];
  const inputs = [input];
  for (const order of orders) {
    for (const p of percentiles) {
      inputs.push(noisyLinearImpute(input, shape, roadKeepMask(map, p, order), { noise, normal }));
      // each imputation is a sparse solve of up to a second on a slow device: let a page (or the
      // server's event loop) breathe between them
      await nextTask();
    }
  }
  const s = await scoreList(score, inputs, classIndex, options.batchSize);
  const base = Math.fround(s.probabilities[0]);
  const result: RoadResult = { morf: {}, lerf: {}, combined: 0 };
  const means = { morf: 0, lerf: 0 };
  orders.forEach((order, o) => {
    percentiles.forEach((p, i) => {
      const change = Math.fround(Math.fround(s.probabilities[1 + o * percentiles.length + i]) - base);
      result[order][String(p)] = change;
      means[order] += change / percentiles.length;
    });
  });
  result.combined = (means.lerf - means.morf) / 2;
  return result;
}
