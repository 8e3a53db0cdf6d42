// How faithfulness measures call the model: a ScoreFn maps a batch of preprocessed inputs to logits
// (Explainer.forwardInputs, or a plain function in tests), and scoreInputs feeds it perturbed inputs
// a batch at a time, reading the class's logit and softmax probability of each.
import { softmax } from '../cam/targets.js';

/** Logits [n, classes] (row-major) of a batch of n inputs [n, C, H, W]. */
export type ScoreFn = (batch: Float32Array, n: number) => Promise<Float32Array>;

/** One class's scores for a list of inputs. */
export interface ClassScores {
  /** Softmax probabilities of the class. */
  probabilities: Float64Array;
  logits: Float64Array;
}

export const DEFAULT_BATCH_SIZE = 16;

export class FaithfulnessError extends Error {
  constructor(readonly code: 'BAD_MAP' | 'BAD_INPUT' | 'BAD_CLASS' | 'BAD_OPTION' | 'BAD_MODEL_OUTPUT', message: string) {
    super(message);
    this.name = 'FaithfulnessError';
  }
}

/**
 * Scores of `count` inputs made by `make(i)` (each of `size` values), run through `score` at most
 * `batchSize` at a time; only one batch of inputs is held at once.
 */
export async function scoreInputs(
  score: ScoreFn, count: number, size: number, make: (i: number, out: Float32Array) => void,
  classIndex: number, batchSize = DEFAULT_BATCH_SIZE,
): Promise<ClassScores> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new FaithfulnessError('BAD_OPTION', `batch size must be a positive integer, not ${batchSize}`);
  const probabilities = new Float64Array(count);
  const logits = new Float64Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = new Float32Array(n * size);
    for (let j = 0; j < n; j++) make(start + j, batch.subarray(j * size, (j + 1) * size));
    const out = await score(batch, n);
    const classes = out.length / n;
    if (!Number.isInteger(classes) || classes < 1) throw new FaithfulnessError('BAD_MODEL_OUTPUT', `the model returned ${out.length} values for ${n} inputs`);
    if (classIndex < 0 || classIndex >= classes || !Number.isInteger(classIndex)) throw new FaithfulnessError('BAD_CLASS', `class ${classIndex} is not in 0..${classes - 1}`);
    for (let j = 0; j < n; j++) {
      logits[start + j] = out[j * classes + classIndex];
      probabilities[start + j] = softmax(out, j * classes, classes)[classIndex];
    }
  }
  return { probabilities, logits };
}

/** Scores of a list of ready inputs. */
export function scoreList(score: ScoreFn, inputs: readonly Float32Array[], classIndex: number, batchSize?: number): Promise<ClassScores> {
  const size = inputs[0]?.length ?? 0;
  return scoreInputs(score, inputs.length, size, (i, out) => out.set(inputs[i]), classIndex, batchSize);
}
