// Confidence measures of the "explanation map" input × map (each channel of the preprocessed input
// multiplied by the saliency map, as pytorch-grad-cam's multiply_tensor_with_cam and the Grad-CAM++
// paper's E_c = X ∘ map):
// * camMult: pytorch-grad-cam 1.5.5 CamMultImageConfidenceChange = score(input × map) − score(input),
//   with the softmax target (ClassifierOutputSoftmaxTarget) and with the logit (ClassifierOutputTarget);
// * averageDrop: Chattopadhyay et al.'s Average Drop for one image, max(0, Y − O)/Y with Y, O the
//   class's softmax probability on the input and on input × map (a fraction, as torch-cam's
//   ClassificationMetric; the paper prints it ×100 and averages it over images);
// * increase: Increase in Confidence for one image, 1 when O > Y else 0 (averaged over images, a rate).
import type { FloatMap } from '../cam/types.js';
import { checkMapFor } from './deletion-insertion.js';
import type { ChwShape } from './perturb.js';
import { scoreList, type ClassScores, type ScoreFn } from './score.js';

export interface CamMultChange {
  softmax: number;
  logit: number;
}

export interface ConfidenceMeasures {
  camMult: CamMultChange;
  averageDrop: number;
  increase: number;
}

/** input × map, the map broadcast over channels (float32 products, as torch). */
export function multiplyByMap(input: Float32Array, shape: ChwShape, map: FloatMap): Float32Array {
  checkMapFor(map, shape);
  const plane = shape.width * shape.height;
  const out = new Float32Array(input.length);
  for (let c = 0; c < shape.channels; c++) {
    for (let p = 0; p < plane; p++) out[c * plane + p] = input[c * plane + p] * map.values[p];
  }
  return out;
}

/** The three measures from the scores of [input, input × map]. */
export function confidenceFromScores(s: ClassScores): ConfidenceMeasures {
  const y = s.probabilities[0];
  const o = s.probabilities[1];
  return {
    // pytorch-grad-cam subtracts float32 scores
    camMult: { softmax: Math.fround(o) - Math.fround(y), logit: Math.fround(s.logits[1]) - Math.fround(s.logits[0]) },
    averageDrop: Math.max(0, y - o) / y,
    increase: o > y ? 1 : 0,
  };
}

/** CamMult change, Average Drop and Increase in Confidence of one map for one class (one model call). */
export async function confidenceMeasures(
  score: ScoreFn, input: Float32Array, shape: ChwShape, map: FloatMap, classIndex: number,
): Promise<ConfidenceMeasures> {
  const s = await scoreList(score, [input, multiplyByMap(input, shape, map)], classIndex);
  return confidenceFromScores(s);
}
