// Backward rules of BatchNormalization (inference), Softmax and LogSoftmax vs central differences.
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';

type Body = (b: TinyBuilder, x: string) => string;
const bn = (b: TinyBuilder, x: string, attrs = {}) =>
  b.op('BatchNormalization', [x, b.weight([3]), b.weight([3]), b.weight([3]), b.weight([3], 0, [0.5, 1, 2])], attrs);
const cases: [string, Body][] = [
  ['BatchNormalization', (b, x) => bn(b, x)],
  ['BatchNormalization with epsilon 0.1', (b, x) => bn(b, x, { epsilon: { float: 0.1 } })],
  ['BatchNormalization with parameters from Constant nodes', (b, x) => b.op('BatchNormalization', [x, b.constant([3], [1.5, -0.5, 2]), b.constant([3], [0, 1, 0]), b.constant([3], [0.1, 0.2, 0.3]), b.constant([3], [0.25, 4, 1])])],
  ['BatchNormalization of a conv, then Relu-free Tanh', (b, x) => b.op('Tanh', [bn(b, b.op('Conv', [x, b.weight([3, 3, 3, 3])], { pads: [1, 1, 1, 1] }))])],
  ['Softmax over channels (axis 1)', (b, x) => b.op('Softmax', [x], { axis: 1 })],
  ['Softmax over the last axis (default −1)', (b, x) => b.op('Softmax', [x])],
  ['Softmax over axis 2', (b, x) => b.op('Softmax', [x], { axis: 2 })],
  ['Softmax of flattened features', (b, x) => b.op('Softmax', [b.op('Flatten', [x], { axis: 1 })])],
  ['LogSoftmax over channels (axis 1)', (b, x) => b.op('LogSoftmax', [x], { axis: 1 })],
  ['LogSoftmax over axis −2', (b, x) => b.op('LogSoftmax', [x], { axis: -2 })],
  ['LogSoftmax of flattened features', (b, x) => b.op('LogSoftmax', [b.op('Flatten', [x], { axis: 1 })], { axis: 1 })],
  ['Softmax and LogSoftmax of the same tensor, added', (b, x) => b.op('Add', [b.op('Softmax', [x], { axis: 1 }), b.op('LogSoftmax', [x], { axis: 1 })])],
];

describe('normalisation rules vs central differences', () => {
  for (const [name, body] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier([3, 3, 4], body, { seed: 14 });
      await expectGradientMatches(tiny, { h: 1e-2 });
    });
  }

  it('the logits of a model ending in Softmax are found before the Softmax (the gradient is of the logits)', async () => {
    const body: Body = (b, x) => b.op('Tanh', [b.op('Conv', [x, b.weight([2, 3, 3, 3])])]);
    const tiny = await tinyClassifier([3, 4, 4], body, { seed: 14, softmax: true, classes: 4 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(analysis.logits).toBe('logits');
    await expectGradientMatches(tiny, { h: 1e-2 });
  });
});

describe('normalisation rules, refusals', () => {
  it('BatchNormalization with a variance that is not a constant', async () => {
    const tiny = await tinyClassifier([3, 3, 4], (b, x) =>
      b.op('BatchNormalization', [x, b.weight([3]), b.weight([3]), b.weight([3]), b.op('Abs', [b.weight([3])])]), { seed: 14 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
    expect(() => buildHeadModels(analysis, 'x')).toThrow(/BatchNormalization.*constant/);
  });
});
