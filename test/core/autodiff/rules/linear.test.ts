// Backward rules of Gemm and MatMul (constant B) vs central differences.
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';

type Body = (b: TinyBuilder, x: string) => string;
const flat = (b: TinyBuilder, x: string) => b.op('Flatten', [x], { axis: 1 }); // [1, 18]
const cases: [string, number[], Body][] = [
  ['Gemm transB 0 with bias', [2, 3, 3], (b, x) => b.op('Gemm', [flat(b, x), b.weight([18, 5]), b.weight([5])])],
  ['Gemm transB 1 with bias', [2, 3, 3], (b, x) => b.op('Gemm', [flat(b, x), b.weight([5, 18]), b.weight([5])], { transB: 1 })],
  ['Gemm without C', [2, 3, 3], (b, x) => b.op('Gemm', [flat(b, x), b.weight([18, 5])])],
  ['Gemm alpha 0.7 beta 2, C [1, N]', [2, 3, 3], (b, x) => b.op('Gemm', [flat(b, x), b.weight([18, 5]), b.weight([1, 5])], { alpha: { float: 0.7 }, beta: { float: 2 } })],
  ['Gemm transB 1, alpha −1.5, scalar C', [2, 3, 3], (b, x) => b.op('Gemm', [flat(b, x), b.weight([5, 18]), b.scalar(0.2)], { transB: 1, alpha: { float: -1.5 } })],
  ['Gemm with a variable C (both A and C on the path), beta 0.5', [2, 3, 3], (b, x) => {
    const f = flat(b, x);
    return b.op('Gemm', [f, b.weight([18, 4]), b.op('Tanh', [b.op('Gemm', [f, b.weight([4, 18])], { transB: 1 })])], { beta: { float: 0.5 } });
  }],
  ['two Gemms with a Tanh between', [2, 3, 3], (b, x) => b.op('Gemm', [b.op('Tanh', [b.op('Gemm', [flat(b, x), b.weight([6, 18]), b.weight([6])], { transB: 1 })]), b.weight([6, 4])])],
  ['MatMul [1, F] × [F, M]', [2, 3, 3], (b, x) => b.op('MatMul', [flat(b, x), b.weight([18, 7])])],
  ['MatMul then Gemm transB 0, alpha/beta', [2, 3, 3], (b, x) => b.op('Gemm', [b.op('MatMul', [flat(b, x), b.weight([18, 7])]), b.weight([7, 5]), b.weight([5])], { alpha: { float: 0.7 }, beta: { float: 2 } })],
  ['MatMul on the last axis of a 4-D tensor ([1, C, H, W] × [W, M])', [2, 3, 4], (b, x) => b.op('MatMul', [x, b.weight([4, 5])])],
  ['MatMul with a batched B ([1, C, H, W] × [C, W, M])', [2, 3, 4], (b, x) => b.op('MatMul', [x, b.weight([2, 4, 5])])],
  ['MatMul, A broadcast over B\'s batch axes ([1, 1, H, W] × [3, W, M])', [1, 3, 4], (b, x) => b.op('MatMul', [x, b.weight([3, 4, 5])])],
];

describe('linear rules vs central differences', () => {
  for (const [name, input, body] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 12 });
      await expectGradientMatches(tiny, { h: 1e-2 });
    });
  }
});

describe('linear rules, refusals', () => {
  const refused: [string, Body, RegExp][] = [
    ['Gemm with B on the path', (b, x) => b.op('Gemm', [b.weight([1, 1]), b.op('Reshape', [x, b.ints([1, -1])])]), /Gemm.*input B/],
    ['Gemm transA 1 on the path', (b, x) => b.op('Gemm', [b.op('Reshape', [x, b.ints([-1, 1])]), b.weight([9, 4])], { transA: 1 }), /Gemm.*transA/],
    ['MatMul with B on the path', (b, x) => b.op('MatMul', [b.weight([2, 3]), b.op('Squeeze', [x, b.ints([0])])]), /MatMul/],
  ];
  for (const [name, body, message] of refused) {
    it(name, async () => {
      const tiny = await tinyClassifier([1, 3, 3], body, { seed: 12 });
      const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
      expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
      expect(() => buildHeadModels(analysis, 'x')).toThrow(message);
    });
  }
});
