// The ReLU rule variants on a one-ReLU model worked by hand: x [3, 1, 2] → Relu → 'feat' → Gemm.
//   x        = [ 1, −2 |  3, −0.5 | 0.25, 2 ]     (channels separated by |)
//   W₀       = [ 2, −1 | −3,  4   | −0.5, 1 ]
//   gradient = W₀ · [x > 0]         = [ 2, 0 | −3, 0 | −0.5, 1 ]
//   guided   = relu(W₀) · [x > 0]   = [ 2, 0 |  0, 0 |  0,   1 ]   (Springenberg et al.)
//   deconv   = relu(W₀)             = [ 2, 0 |  0, 4 |  0,   1 ]   (Zeiler & Fergus)
// Guided Grad-CAM at 'feat' (A = relu(x) = [1, 0 | 3, 0 | 0.25, 2]): channel weights = mean of W₀ per
// channel = [0.5, 0.5, 0.25]; cam = [0.5·1 + 0.5·3 + 0.25·0.25, 0.25·2] = [2.0625, 0.5];
// guided × cam = [4.125, 0 | 0, 0 | 0, 0.5].
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Explainer } from '../../../packages/core/src/engine.js';
import { expectClose } from '../cam/context.js';
import { tinyEngine } from './tiny-engine.js';

const x = Float32Array.of(1, -2, 3, -0.5, 0.25, 2);
const W0 = [2, -1, -3, 4, -0.5, 1];
const W1 = [-1, 1, 0.5, -2, 3, -1];

describe('ReLU backward-rule variants on a one-ReLU model, by hand', () => {
  let engine: Explainer;
  beforeAll(async () => {
    engine = await tinyEngine({ height: 1, width: 2, body: 'Relu', weights: [W0, W1], bias: [0, 0] });
  });
  afterAll(() => engine.release());

  const get = async (method: string) => (await engine.explain(x, { methods: [method], classes: [0] })).maps[0].attribution!.values;

  it('standard gradient (through Saliency: its absolute value; through Input × Gradient: times x)', async () => {
    expectClose(await get('saliency'), [2, 0, 3, 0, 0.5, 1], 1e-7);
    expectClose(await get('inputxgradient'), [2, 0, -9, 0, -0.125, 2], 1e-7);
  });

  it('guided backpropagation keeps positive gradients where the input was positive', async () => {
    expectClose(await get('guidedbackprop'), [2, 0, 0, 0, 0, 1], 1e-7);
  });

  it('deconvolution keeps positive gradients wherever they are', async () => {
    expectClose(await get('deconvolution'), [2, 0, 0, 4, 0, 1], 1e-7);
  });

  it('guided Grad-CAM multiplies the guided gradient by the layer Grad-CAM', async () => {
    expectClose(await get('guidedgradcam'), [4.125, 0, 0, 0, 0, 0.5], 1e-6);
  });

  it('several classes in one run give each its own guided gradient', async () => {
    const r = await engine.explain(x, { methods: ['guidedbackprop', 'deconvolution'], classes: [0, 1] });
    const of = (m: string, c: number) => r.maps.find((q) => q.method === m && q.classIndex === c)!.attribution!.values;
    // W₁ = [−1, 1 | 0.5, −2 | 3, −1], x > 0 at positions 0, 2, 4, 5
    expectClose(of('guidedbackprop', 1), [0, 0, 0.5, 0, 3, 0], 1e-7);
    expectClose(of('deconvolution', 1), [0, 1, 0.5, 0, 3, 0], 1e-7);
    expectClose(of('guidedbackprop', 0), [2, 0, 0, 0, 0, 1], 1e-7);
  });
});
