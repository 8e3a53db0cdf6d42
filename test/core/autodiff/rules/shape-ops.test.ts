// Backward rules of value-moving ops (Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Pad) vs central differences.
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';

type Body = (b: TinyBuilder, x: string) => string;
// Each case multiplies by a weight or applies tanh after the op, so that a misplaced gradient
// entry (wrong permutation or offset) changes the values, not only their order.
const tanh = (b: TinyBuilder, t: string) => b.op('Tanh', [t]);
const cases: [string, number[], Body][] = [
  ['Flatten axis 1', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Flatten', [x], { axis: 1 }), b.weight([1, 24])])],
  ['Flatten axis −3', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Flatten', [x], { axis: -3 }), b.weight([1, 24])])],
  ['Reshape [0, −1]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Reshape', [x, b.ints([0, -1])]), b.weight([24])])],
  ['Reshape to a literal batch of 1 ([1, 6, 4], made symbolic in the head)', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Reshape', [x, b.ints([1, 6, 4])]), b.weight([6, 1])])],
  ['Reshape [0, 4, 2, 3] (regrouping the channels)', [2, 3, 4], (b, x) => tanh(b, b.op('Mul', [b.op('Reshape', [x, b.ints([0, 4, 2, 3])]), b.weight([4, 1, 1])]))],
  ['Reshape [0, 2, −1, 2]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Reshape', [x, b.ints([0, 2, -1, 2])]), b.weight([6, 1])])],
  ['Reshape with the target from Shape(other tensor)', [2, 3, 4], (b, x) => {
    const t = b.op('Mul', [b.op('Reshape', [x, b.ints([0, 4, 6])]), b.weight([4, 1])]);
    return b.op('Reshape', [t, b.op('Shape', [x])]);
  }],
  ['Squeeze axes [1] (input)', [1, 4, 5], (b, x) => b.op('Mul', [b.op('Squeeze', [x, b.ints([1])]), b.weight([4, 1])])],
  ['Squeeze axes [−3]', [1, 4, 5], (b, x) => b.op('Mul', [b.op('Squeeze', [x, b.ints([-3])]), b.weight([4, 1])])],
  ['Unsqueeze axes [2]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Unsqueeze', [x, b.ints([2])]), b.weight([2, 1, 1, 4])])],
  ['Unsqueeze axes [−1, 1]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Unsqueeze', [x, b.ints([-1, 1])]), b.weight([1, 2, 3, 4, 1])])],
  ['Squeeze then Unsqueeze', [1, 4, 4], (b, x) => b.op('Unsqueeze', [tanh(b, b.op('Squeeze', [x, b.ints([1])])), b.ints([1])])],
  ['Transpose [0, 2, 3, 1] (NCHW → NHWC)', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Transpose', [x], { perm: [0, 2, 3, 1] }), b.weight([3, 4, 2])])],
  ['Transpose [0, 3, 1, 2]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Transpose', [x], { perm: [0, 3, 1, 2] }), b.weight([4, 1, 1])])],
  ['Transpose [0, 1, 3, 2]', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Transpose', [x], { perm: [0, 1, 3, 2] }), b.weight([2, 4, 3])])],
  ['Transpose twice', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Transpose', [b.op('Transpose', [x], { perm: [0, 2, 3, 1] })], { perm: [0, 2, 1, 3] }), b.weight([4, 3, 2])])],
  ['Concat on channels of two different tensors', [2, 3, 3], (b, x) => b.op('Concat', [x, tanh(b, x)], { axis: 1 })],
  ['Concat on channels, the same tensor twice', [2, 3, 3], (b, x) => b.op('Mul', [b.op('Concat', [x, x], { axis: 1 }), b.weight([4, 1, 1])])],
  ['Concat of three incl. the same tensor twice', [2, 3, 3], (b, x) => b.op('Mul', [b.op('Concat', [x, tanh(b, x), x], { axis: 1 }), b.weight([6, 1, 1])])],
  ['Concat on the width (axis −1), different sizes', [2, 3, 3], (b, x) => tanh(b, b.op('Concat', [x, b.op('MaxPool', [b.op('Mul', [x, b.scalar(0.5)])], { kernel_shape: [1, 2] })], { axis: -1 }))],
  ['Concat (fire module: two convs of one squeeze)', [2, 4, 4], (b, x) => {
    const s = tanh(b, b.op('Conv', [x, b.weight([2, 2, 1, 1])]));
    return b.op('Concat', [b.op('Conv', [s, b.weight([2, 2, 1, 1])]), b.op('Conv', [s, b.weight([2, 2, 3, 3])], { pads: [1, 1, 1, 1] })], { axis: 1 });
  }],
  ['Pad constant 0 (pads input)', [2, 3, 3], (b, x) => b.op('Mul', [b.op('Pad', [x, b.ints([0, 0, 1, 2, 0, 0, 2, 1])]), b.weight([2, 6, 6])])],
  ['Pad constant 0.5 (value input)', [2, 3, 3], (b, x) => tanh(b, b.op('Pad', [x, b.ints([0, 1, 0, 1, 0, 0, 1, 0]), b.scalar(0.5)]))],
  ['Pad with negative pads (cropping)', [2, 4, 5], (b, x) => b.op('Mul', [b.op('Pad', [x, b.ints([0, 0, -1, 2, 0, 0, 1, -2])]), b.weight([2, 4, 5])])],
  ['Pad channels and crop width', [2, 3, 4], (b, x) => b.op('Mul', [b.op('Pad', [x, b.ints([0, 1, 0, -1, 0, 0, 0, 0])]), b.weight([3, 3, 3])])],
];

describe('shape-op rules vs central differences', () => {
  for (const [name, input, body] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 9 });
      await expectGradientMatches(tiny, { h: 1e-2, kinks: name.includes('MaxPool') ? 'skip' : 'forbid' });
    });
  }
});

describe('Concat with an input that does not depend on the layer', () => {
  it('no gradient to the side tensor; the head forward batches it with the layer', async () => {
    // x → s = sigmoid(x) (side input), layer = tanh(x); concat(s, layer, layer²) on channels
    let layer = '';
    const tiny = await tinyClassifier([2, 3, 3], (b, x) => {
      const s = b.op('Sigmoid', [x]);
      layer = b.op('Tanh', [x]);
      return b.op('Mul', [b.op('Concat', [s, layer, b.op('Mul', [layer, layer])], { axis: 1 }), b.weight([6, 1, 1])]);
    }, { seed: 9 });
    await expectGradientMatches(tiny, { layer, h: 1e-2 });
  });
});

describe('shape-op rules, refusals', () => {
  const refused: [string, number[], Body, RegExp][] = [
    ['Transpose moving the batch', [1, 3, 4], (b, x) => b.op('Transpose', [x], { perm: [1, 0, 2, 3] }), /Transpose.*batch/],
    ['Concat along the batch', [1, 3, 4], (b, x) => b.op('Concat', [x, x], { axis: 0 }), /Concat.*batch/],
    ['Pad of the batch', [1, 3, 4], (b, x) => b.op('Pad', [x, b.ints([1, 0, 0, 0, 0, 0, 0, 0])]), /Pad.*batch/],
    ['Pad in reflect mode', [2, 3, 4], (b, x) => b.op('Pad', [x, b.ints([0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'reflect' }), /Pad.*constant/],
    ['Reshape changing the batch', [2, 3, 4], (b, x) => b.op('Reshape', [x, b.ints([2, 12])]), /Reshape.*batch/],
  ];
  for (const [name, input, body, message] of refused) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 9 });
      const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
      expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
      expect(() => buildHeadModels(analysis, 'x')).toThrow(message);
    });
  }
});
