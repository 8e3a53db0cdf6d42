// Old-opset attribute forms (rewritten to opset 17 by normalize.ts) through the backward rules, vs central differences.
import { describe, it, expect } from 'vitest';
import { awayFrom, expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { randn, rng } from '../../../helpers/ort.js';

type Body = (b: TinyBuilder, x: string) => string;
// [name, opset, body, kinks of the input (kept ≥ 0.05 away)]; opsets < 7 end in MatMul (no Gemm
// kernel in ONNX Runtime there). The check also compares the normalised forward with the original.
const cases: [string, number, Body, number[]][] = [
  ['opset 6: Clip with min/max attributes', 6, (b, x) => b.op('Clip', [x], { min: { float: -0.4 }, max: { float: 0.6 } }), [-0.4, 0.6]],
  ['opset 6: Clip with a max attribute only', 6, (b, x) => b.op('Clip', [x], { max: { float: 0.3 } }), [0.3]],
  ['opset 6: Sum of three (no broadcasting before opset 8)', 6, (b, x) => b.op('Sum', [x, b.op('Sigmoid', [x]), b.weight([1, 2, 3, 4])]), []],
  ['opset 2: Pad with the pads attribute', 2, (b, x) => b.op('Pad', [x], { pads: [0, 0, 1, 2, 0, 0, 2, 1] }), []],
  ['opset 10: Pad with pads and value attributes', 10, (b, x) => b.op('Tanh', [b.op('Pad', [x], { pads: [0, 1, 1, 0, 0, 0, 0, 1], value: { float: 0.5 } })]), []],
  ['opset 11: Pad with pads and constant_value inputs', 11, (b, x) => b.op('Tanh', [b.op('Pad', [x, b.ints([0, 0, 1, 1, 0, 0, 1, 1]), b.scalar(-0.25)])]), []],
  ['opset 4: Reshape with the shape attribute', 4, (b, x) => b.op('Transpose', [b.op('Reshape', [x], { shape: [1, 4, 2, 3] })], { perm: [0, 2, 3, 1] }), []],
  ['opset 11: Squeeze / Unsqueeze with axes attributes', 11, (b, x) => b.op('Unsqueeze', [b.op('Tanh', [b.op('Squeeze', [b.op('Unsqueeze', [x], { axes: [0] })], { axes: [0] })])], { axes: [2] }), []],
  ['opset 12: Unsqueeze with a negative axes attribute', 12, (b, x) => b.op('Tanh', [b.op('Unsqueeze', [x], { axes: [-1] })]), []],
  ['opset 11: Clip with min/max inputs', 11, (b, x) => b.op('Clip', [x, b.scalar(-0.3), b.scalar(0.4)]), [-0.3, 0.4]],
  ['opset 11: Softmax of a 4-D tensor, default axis 1 (normalised over C·H·W)', 11, (b, x) => b.op('Softmax', [x]), []],
  ['opset 9: LogSoftmax of a 4-D tensor, axis 1', 9, (b, x) => b.op('LogSoftmax', [x], { axis: 1 }), []],
  ['opset 7: BatchNormalization with the spatial attribute', 7, (b, x) => b.op('BatchNormalization', [x, b.weight([2]), b.weight([2]), b.weight([2]), b.weight([2], 0, [0.5, 2])], { spatial: 1, epsilon: { float: 1e-3 } }), []],
  ['opset 9: BatchNormalization', 9, (b, x) => b.op('BatchNormalization', [x, b.weight([2]), b.weight([2]), b.weight([2]), b.weight([2], 0, [0.5, 2])]), []],
  ['opset 7: Dropout with a ratio attribute', 7, (b, x) => b.op('Sigmoid', [b.op('Dropout', [x], { ratio: { float: 0.5 } })]), []],
  ['opset 10: Dropout with the mask output', 10, (b, x) => b.op('Sigmoid', [b.opAll('Dropout', [x], { ratio: { float: 0.2 } }, 2)[0]]), []],
  ['opset 12: Dropout with ratio and training_mode inputs', 12, (b, x) => b.op('Sigmoid', [b.op('Dropout', [x, b.scalar(0.1)])]), []],
  ['opset 7: Conv, Relu, MaxPool', 7, (b, x) => b.op('MaxPool', [b.op('Relu', [b.op('Conv', [x, b.weight([3, 2, 3, 3])], { pads: [1, 1, 1, 1] })])], { kernel_shape: [2, 2], strides: [2, 2] }), []],
];

describe('old-opset forms vs central differences', () => {
  for (const [name, opset, body, kinks] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier([2, 3, 4], body, { opset, seed: 15, matmulHead: opset < 7 });
      const x = awayFrom(randn(24, rng(16), 1), kinks, 0.05);
      await expectGradientMatches(tiny, { x, h: 1e-2, kinks: name.includes('MaxPool') ? 'skip' : 'forbid' });
    });
  }

  // an old Softmax at axis a ≥ 2 is rewritten as Reshape([0, …, 0, −1]) → Softmax → Reshape (the
  // batch axis kept); at axis −1 it is the opset-13 form already
  for (const [name, opset, body] of [
    ['opset 11: Softmax of a 4-D tensor, axis 2 (over H·W)', 11, (b: TinyBuilder, x: string) => b.op('Softmax', [x], { axis: 2 })],
    ['opset 12: LogSoftmax of a 4-D tensor, axis −1', 12, (b: TinyBuilder, x: string) => b.op('LogSoftmax', [x], { axis: -1 })],
  ] as const) {
    it(name, async () => {
      const tiny = await tinyClassifier([2, 3, 4], body, { opset, seed: 15 });
      await expectGradientMatches(tiny, { h: 1e-2 });
    });
  }

  it('opset 9: a final Softmax (rewritten to Flatten → Softmax → Reshape) is stepped over to the logits', async () => {
    const tiny = await tinyClassifier([2, 3, 4], (b, x) => b.op('Tanh', [x]), { opset: 9, softmax: true, seed: 15 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(analysis.logits).toBe('logits');
    await expectGradientMatches(tiny, { h: 1e-2 });
  });
});
