// Backward rule of Conv (ConvTranspose of the output gradient) vs central differences, over its geometries.
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';

type Body = (b: TinyBuilder, x: string) => string;
// Conv is linear in x: the differences are exact up to float32 rounding, any input will do.
const cases: [string, number[], Body][] = [
  ['plain 3×3 with bias', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3]), b.weight([3])])],
  ['plain 3×3 without bias, kernel_shape given', [2, 5, 6], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3])], { kernel_shape: [3, 3] })],
  ['1×1', [3, 4, 4], (b, x) => b.op('Conv', [x, b.weight([2, 3, 1, 1]), b.weight([2])])],
  ['1×1 stride 2 (rows and columns dropped)', [2, 5, 6], (b, x) => b.op('Conv', [x, b.weight([2, 2, 1, 1])], { strides: [2, 2] })],
  ['stride 2, no pads, even input (output padding 1)', [2, 6, 6], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3])], { strides: [2, 2] })],
  ['stride 2, pads 1, odd input', [2, 7, 7], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3]), b.weight([3])], { strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['stride 3 with a 2×2 kernel (gaps between windows)', [1, 8, 7], (b, x) => b.op('Conv', [x, b.weight([2, 1, 2, 2])], { strides: [3, 3] })],
  ['asymmetric pads [0, 1, 2, 0]', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([2, 2, 3, 3])], { pads: [0, 1, 2, 0] })],
  ['strided with asymmetric pads [1, 0, 0, 1]', [2, 6, 7], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 2])], { strides: [2, 2], pads: [1, 0, 0, 1] })],
  ['non-square kernel 3×1, strides [1, 2]', [2, 5, 6], (b, x) => b.op('Conv', [x, b.weight([2, 2, 3, 1])], { strides: [1, 2], pads: [1, 0, 1, 0] })],
  ['dilated 2, pads 1', [1, 7, 7], (b, x) => b.op('Conv', [x, b.weight([2, 1, 3, 3])], { dilations: [2, 2], pads: [1, 1, 1, 1] })],
  ['dilated [2, 3] and strided 2', [2, 9, 10], (b, x) => b.op('Conv', [x, b.weight([2, 2, 3, 2])], { dilations: [2, 3], strides: [2, 2] })],
  ['grouped (2 groups, 2 outputs each)', [4, 5, 5], (b, x) => b.op('Conv', [x, b.weight([4, 2, 3, 3]), b.weight([4])], { group: 2, pads: [1, 1, 1, 1] })],
  ['grouped (3 groups) strided', [6, 6, 6], (b, x) => b.op('Conv', [x, b.weight([3, 2, 3, 3])], { group: 3, strides: [2, 2] })],
  ['depthwise', [3, 5, 5], (b, x) => b.op('Conv', [x, b.weight([3, 1, 3, 3]), b.weight([3])], { group: 3, pads: [1, 1, 1, 1] })],
  ['depthwise stride 2', [3, 6, 6], (b, x) => b.op('Conv', [x, b.weight([3, 1, 3, 3])], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['depthwise with channel multiplier 2', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([4, 1, 3, 3])], { group: 2, pads: [0, 1, 1, 0] })],
  ['auto_pad SAME_UPPER stride 2 (odd total padding)', [2, 5, 5], (b, x) => b.op('Conv', [x, b.weight([2, 2, 2, 2])], { auto_pad: 'SAME_UPPER', strides: [2, 2] })],
  ['auto_pad SAME_UPPER stride 1, 4×4 kernel', [2, 5, 6], (b, x) => b.op('Conv', [x, b.weight([2, 2, 4, 4])], { auto_pad: 'SAME_UPPER' })],
  ['auto_pad SAME_LOWER stride 2', [2, 6, 5], (b, x) => b.op('Conv', [x, b.weight([2, 2, 3, 3])], { auto_pad: 'SAME_LOWER', strides: [2, 2] })],
  ['auto_pad VALID stride 2', [2, 6, 5], (b, x) => b.op('Conv', [x, b.weight([2, 2, 3, 3])], { auto_pad: 'VALID', strides: [2, 2] })],
  ['weights from a Constant node', [2, 4, 4], (b, x) => b.op('Conv', [x, b.constant([2, 2, 3, 3], Array.from({ length: 36 }, (_, i) => Math.sin(i))), b.constant([2], [0.1, -0.2])], { pads: [1, 1, 1, 1] })],
  ['1-D conv after a Reshape to [1, C, H·W]', [2, 3, 4], (b, x) => b.op('Conv', [b.op('Reshape', [x, b.ints([0, 2, 12])]), b.weight([3, 2, 3])], { strides: [2], pads: [1, 0] })],
  ['two convs in a row with a Relu between', [2, 6, 6], (b, x) => b.op('Conv', [b.op('Relu', [b.op('Conv', [x, b.weight([3, 2, 3, 3]), b.weight([3])], { pads: [1, 1, 1, 1] })]), b.weight([2, 3, 3, 3])], { strides: [2, 2] })],
];

describe('Conv rule vs central differences', () => {
  for (const [name, input, body] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 3 });
      // the Relu case has kinks inside the graph that the input cannot avoid
      await expectGradientMatches(tiny, { h: 1e-2, kinks: name.includes('Relu') ? 'skip' : 'forbid' });
    });
  }

  it('a weight that depends on the layer is refused with UnsupportedOpError', async () => {
    // Conv(x, x): x [1, 1, 3, 3] used as its own 1×1×3×3 kernel
    const tiny = await tinyClassifier([1, 3, 3], (b, x) => b.op('Conv', [b.op('Relu', [x]), x], {}), { seed: 3 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
    expect(() => buildHeadModels(analysis, 'x')).toThrow(/Conv.*conv_/);
  });
});
