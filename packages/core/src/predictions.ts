// The top-k classes of a probability vector, shared by the engine and the API's caches.
import type { Prediction } from './explain-types.js';

/** The k most probable classes, highest first (ties: lower index first); O(n·k) for small k. */
export function topPredictions(probs: Float32Array, k: number, labels: readonly string[]): Prediction[] {
  const idx: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    if (idx.length === k && probs[i] <= probs[idx[k - 1]]) continue;
    let j = idx.length;
    while (j > 0 && probs[idx[j - 1]] < probs[i]) j--;
    idx.splice(j, 0, i);
    if (idx.length > k) idx.pop();
  }
  return idx.map((index) => ({ index, label: labels[index], score: probs[index] }));
}
