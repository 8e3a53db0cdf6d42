// For caption tests: a tiny linear "model" — three classes, logits = W·x over a 16×16 RGB input —
// and a random image it is shown (16×16 unless another size is asked for: the caption's crop and
// frame then live in that image's pixels). Random draws in a fixed order: the image, then the weights.
import { preprocess } from '../../../packages/core/src/image/preprocess.js';
import type { InputSpec } from '../../../packages/core/src/model/spec.js';
import { rng } from '../../helpers/random.js';

export const S = 16;
export const spec: InputSpec = { name: 'x', width: S, height: S, layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], resize: 'stretch' };
export const labels = ['a', 'b', 'c'];

export function tinyLinear(seed: number, width = S, height = S) {
  const r = rng(seed);
  const image = { data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256)), width, height, channels: 3 as const };
  const input = preprocess(image, spec);
  const weights = Array.from({ length: 3 }, () => Float64Array.from({ length: 3 * S * S }, () => r() - 0.5));
  /** The logits of the input at `off` in `x`. */
  const logitsOf = (x: Float32Array, off = 0) => weights.map((w) => w.reduce((s, v, i) => s + v * x[off + i], 0));
  return { image, input, weights, logitsOf };
}
