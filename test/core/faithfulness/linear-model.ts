// A linear two-class "model" for the faithfulness tests: logits = [Σ w·x + bias, 0], so the class-0
// probability is the logistic of the linear score and every perturbation's effect is closed-form.
import type { ScoreFn } from '../../../packages/core/src/faithfulness/score.js';

export interface LinearModel {
  score: ScoreFn;
  /** How many inputs the model has been called on. */
  calls: number[];
  logit(x: Float32Array): number;
}

export function linearModel(w: ArrayLike<number>, bias = 0): LinearModel {
  const logit = (x: Float32Array, off = 0): number => {
    let s = bias;
    for (let i = 0; i < w.length; i++) s += w[i] * x[off + i];
    return s;
  };
  const calls: number[] = [];
  const score: ScoreFn = async (batch, n) => {
    calls.push(n);
    const out = new Float32Array(2 * n);
    for (let j = 0; j < n; j++) out[2 * j] = logit(batch, j * w.length);
    return out;
  };
  return { score, calls, logit };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** A seeded uniform [0, 1) generator (mulberry32), for random maps and inputs. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
