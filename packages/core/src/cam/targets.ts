// What a class map explains: a class logit or its softmax probability (pytorch-grad-cam's
// ClassifierOutputTarget and ClassifierOutputSoftmaxTarget), read from rows of logits.
import type { CamTarget } from './types.js';

/** Numerically stable softmax of one row. */
export function softmax(logits: ArrayLike<number>, offset = 0, n = logits.length - offset): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
  const out = new Float32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[offset + i] - max);
  for (let i = 0; i < n; i++) out[i] = Math.exp(logits[offset + i] - max) / sum;
  return out;
}

/** The target's score in each of the `rows` rows of a [rows, numClasses] logits matrix. */
export function targetScores(logits: Float32Array, rows: number, numClasses: number, target: CamTarget): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    out[r] = target.kind === 'logit'
      ? logits[r * numClasses + target.classIndex]
      : softmax(logits, r * numClasses, numClasses)[target.classIndex];
  }
  return out;
}
