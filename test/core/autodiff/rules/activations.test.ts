// Backward rules of elementwise activations vs central differences, with inputs kept away from kinks.
import { describe, it, expect } from 'vitest';
import { awayFrom, checkHeadGradient, expectGradientMatches, inputHeadGradient, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { randn, rng } from '../../../helpers/ort.js';
import { encodeModel } from '../../../../packages/core/src/onnx/proto.js';

type Body = (b: TinyBuilder, x: string) => string;
const shape = [2, 4, 4];
const n = 32;
/** Random normal × scale, every value ≥ margin from each kink. */
const input = (scale: number, kinks: number[], margin = 0.05, seed = 21) => awayFrom(randn(n, rng(seed), scale), kinks, margin);

const cases: [string, Body, Float32Array][] = [
  ['Relu', (b, x) => b.op('Relu', [x]), input(1, [0])],
  ['Clip with min and max inputs (points inside and on both sides outside)', (b, x) => b.op('Clip', [x, b.scalar(-0.5), b.scalar(0.7)]), input(1, [-0.5, 0.7])],
  ['Clip with min and max from Constant nodes', (b, x) => b.op('Clip', [x, b.constant([], [-0.3]), b.constant([], [0.4])]), input(1, [-0.3, 0.4])],
  ['Clip with min only (ReLU-like)', (b, x) => b.op('Clip', [x, b.scalar(0.2)]), input(1, [0.2])],
  ['Clip with max only (empty min input)', (b, x) => b.op('Clip', [x, '', b.scalar(0.1)]), input(1, [0.1])],
  ['Clip without bounds (identity)', (b, x) => b.op('Clip', [x]), input(1, [])],
  ['Clip 0..6 (ReLU6) on a wide input', (b, x) => b.op('Clip', [x, b.scalar(0), b.scalar(6)]), input(4, [0, 6])],
  ['LeakyRelu alpha 0.1', (b, x) => b.op('LeakyRelu', [x], { alpha: { float: 0.1 } }), input(1, [0])],
  ['LeakyRelu default alpha', (b, x) => b.op('LeakyRelu', [x]), input(1, [0])],
  ['Sigmoid', (b, x) => b.op('Sigmoid', [x]), input(2, [])],
  ['Tanh', (b, x) => b.op('Tanh', [x]), input(1.5, [])],
  ['HardSigmoid alpha 0.25 beta 0.5 (kinks at ±2)', (b, x) => b.op('HardSigmoid', [x], { alpha: { float: 0.25 }, beta: { float: 0.5 } }), input(2.5, [-2, 2])],
  ['HardSigmoid default alpha 0.2 beta 0.5 (kinks at ±2.5)', (b, x) => b.op('HardSigmoid', [x]), input(3, [-2.5, 2.5])],
  ['HardSwish (kinks at ±3)', (b, x) => b.op('HardSwish', [x]), input(3.5, [-3, 3])],
  ['Identity', (b, x) => b.op('Identity', [x]), input(1, [])],
  ['Dropout (opset 13, with ratio input)', (b, x) => b.op('Dropout', [x, b.scalar(0.3)]), input(1, [])],
  ['Dropout with the mask output', (b, x) => b.opAll('Dropout', [x], {}, 2)[0], input(1, [])],
  ['Cast to float', (b, x) => b.op('Cast', [x], { to: 1 }), input(1, [])],
  ['Relu then Sigmoid then Tanh', (b, x) => b.op('Tanh', [b.op('Sigmoid', [b.op('Relu', [x])])]), input(1, [0])],
];

describe('activation rules vs central differences', () => {
  for (const [name, body, x] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(shape, body);
      await expectGradientMatches(tiny, { x, h: 1e-2 });
    });
  }

  it('inputs on both sides of every kink were exercised (Clip: zero gradient outside)', async () => {
    const x = input(1, [-0.5, 0.7]);
    const tiny = await tinyClassifier(shape, (b, t) => b.op('Clip', [t, b.scalar(-0.5), b.scalar(0.7)]));
    const rep = await checkHeadGradient(tiny, { x, h: 1e-2 });
    let below = 0;
    let above = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] < -0.5 || x[i] > 0.7) {
        expect(rep.grads[i]).toBe(0);
        expect(rep.grads[n + i]).toBe(0);
        if (x[i] < -0.5) below++;
        else above++;
      } else expect(rep.grads[i]).not.toBe(0);
    }
    expect(below).toBeGreaterThan(3);
    expect(above).toBeGreaterThan(3);
  });
});

describe('activation gradients at their kinks (one-sided conventions, as PyTorch)', () => {
  // x = [kink values..., then ordinary ones]; the gradient of a 1-class model with seed 1 is
  // W[0, i] · f'(x_i): compare the ratio g_i / W_i with the expected derivative.
  async function derivatives(body: Body, xs: number[]): Promise<number[]> {
    const w = Float32Array.from(xs, (_, i) => 0.5 + 0.1 * i); // a known classifier row
    const tiny = await tinyClassifier([1, 1, xs.length], body, { classes: 1 });
    // replace the random classifier weight by w so that g_i / w_i = f'(x_i)
    const W = tiny.model.graph!.initializer!.find((t) => t.dims!.length === 2)!;
    W.rawData = new Uint8Array(w.buffer);
    const g = await inputHeadGradient({ ...tiny, bytes: encodeModel(tiny.model) }, Float32Array.from(xs), Float32Array.of(1));
    return Array.from(g, (v, i) => v / w[i]);
  }

  it('Relu: 0 at x = 0, 1 above', async () => {
    const d = await derivatives((b, x) => b.op('Relu', [x]), [0, 1, -1]);
    expect(d).toEqual([0, 1, 0]);
  });

  it('Clip: 0 exactly at min and at max (strict bounds), 1 strictly inside', async () => {
    const d = await derivatives((b, x) => b.op('Clip', [x, b.scalar(-1), b.scalar(1)]), [-1, 1, 0.999, -0.999, 2]);
    expect(d.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, 1, 1, 0]);
  });

  it('LeakyRelu: alpha at x = 0', async () => {
    const d = await derivatives((b, x) => b.op('LeakyRelu', [x], { alpha: { float: 0.25 } }), [0, 2, -2]);
    expect(d.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.25, 1, 0.25]);
  });

  it('HardSigmoid: 0 where alpha·x + beta is exactly 0 or 1', async () => {
    const d = await derivatives((b, x) => b.op('HardSigmoid', [x], { alpha: { float: 0.25 }, beta: { float: 0.5 } }), [-2, 2, 0]);
    expect(d.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, 0.25]);
  });

  it('HardSwish: x/3 + 1/2 on [-3, 3] (bounds included), 0 below, 1 above', async () => {
    const d = await derivatives((b, x) => b.op('HardSwish', [x]), [-3, 3, -4, 4, 0]);
    expect(d.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-0.5, 1.5, 0, 1, 0.5]);
  });
});
