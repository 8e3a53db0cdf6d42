// Deletion and insertion (Petsiuk et al. 2018, RISE's CausalMetric): pixels in saliency order
// (perturb.ts: most salient first, ties by ascending index) are moved from a "finish" image into a
// "start" image `step` pixels at a time, and the class's softmax probability (and logit) is read
// after every step. Deletion starts from the input and sets removed pixels to 0 (in the model's
// preprocessed space, as RISE's substrate `torch.zeros_like`); insertion starts from the blurred
// input (blurChw) and copies the input's pixels back. With n = ⌈H·W / step⌉ steps there are n + 1
// scores; AUC is the trapezoid over x = i/n (RISE's auc(): (Σ − first/2 − last/2)/n). A faithful map
// makes deletion fall fast (low AUC) and insertion rise fast (high AUC).
import type { FloatMap } from '../cam/types.js';
import { blurChw, saliencyOrder, type ChwShape } from './perturb.js';
import { riseBlurChw } from './rise-blur.js';
import { FaithfulnessError, scoreInputs, type ScoreFn } from './score.js';

export type CausalMode = 'deletion' | 'insertion';

/** Insertion's blurred start: 'gaussian' (blurChw, the default) or 'rise' (RISE's gkern, rise-blur.ts). */
export type Substrate = 'gaussian' | 'rise';
export const SUBSTRATES: readonly Substrate[] = ['gaussian', 'rise'];

export interface CausalCurve {
  /** Normalised area under the probability curve. */
  auc: number;
  /** Softmax probability of the class after 0, 1, …, n steps. */
  scores: number[];
  /** The class logit after each step. */
  logits: number[];
}

export interface CausalOptions {
  /** Pixels moved per step (default width × 8: 1,792 at 224², 28 steps). */
  step?: number;
  batchSize?: number;
  /** Insertion's substrate (default 'gaussian'). */
  substrate?: Substrate;
}

/** The trapezoid area of equally spaced values over x in [0, 1]. */
export function normalisedAuc(values: ArrayLike<number>): number {
  const n = values.length - 1;
  if (n < 1) return values.length ? values[0] : NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return (s - values[0] / 2 - values[n] / 2) / n;
}

export function checkMapFor(map: FloatMap, shape: ChwShape): void {
  if (map.width !== shape.width || map.height !== shape.height || map.values.length !== map.width * map.height) {
    throw new FaithfulnessError('BAD_MAP', `the map is ${map.width}×${map.height} (${map.values.length} values) but the input is ${shape.width}×${shape.height}`);
  }
  if (map.values.some((v) => !Number.isFinite(v))) throw new FaithfulnessError('BAD_MAP', 'the map has values that are not finite');
}

/** The deletion or insertion curve of one map for one class. */
export async function causalCurve(
  score: ScoreFn, input: Float32Array, shape: ChwShape, map: FloatMap, classIndex: number, mode: CausalMode, options: CausalOptions = {},
): Promise<CausalCurve> {
  checkMapFor(map, shape);
  const plane = shape.width * shape.height;
  const size = plane * shape.channels;
  if (input.length !== size) throw new FaithfulnessError('BAD_INPUT', `input has ${input.length} values, not ${size}`);
  const step = options.step ?? shape.width * 8;
  if (!Number.isSafeInteger(step) || step < 1) throw new FaithfulnessError('BAD_OPTION', `step must be a positive integer, not ${step}`);
  const order = saliencyOrder(map);
  const steps = Math.ceil(plane / step);
  const substrate = options.substrate ?? 'gaussian';
  if (!SUBSTRATES.includes(substrate)) throw new FaithfulnessError('BAD_OPTION', `substrate must be ${SUBSTRATES.join(' or ')}, not '${substrate}'`);
  const start = mode === 'deletion' ? input : substrate === 'rise' ? riseBlurChw(input, shape) : blurChw(input, shape);
  const finish = mode === 'deletion' ? null : input;
  // the state is built incrementally: inputs are made in order, so `state` after step i is reused
  const state = Float32Array.from(start);
  let done = 0;
  const make = (i: number, out: Float32Array): void => {
    for (; done < i; done++) {
      for (let k = done * step; k < Math.min((done + 1) * step, plane); k++) {
        const p = order[k];
        for (let c = 0; c < shape.channels; c++) state[c * plane + p] = finish ? finish[c * plane + p] : 0;
      }
    }
    out.set(state);
  };
  const s = await scoreInputs(score, steps + 1, size, make, classIndex, options.batchSize);
  return { auc: normalisedAuc(s.probabilities), scores: [...s.probabilities], logits: [...s.logits] };
}
