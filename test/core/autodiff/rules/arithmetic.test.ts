// Backward rules of broadcasting arithmetic (Add, Sub, Mul, Div, Sum) vs central differences.
import { describe, it, expect } from 'vitest';
import { awayFrom, expectGradientMatches, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';
import { randn, rng } from '../../../helpers/ort.js';

type Body = (b: TinyBuilder, x: string) => string;
const gap = (b: TinyBuilder, x: string) => b.op('GlobalAveragePool', [x]); // a variable [1, C, 1, 1]
// x [1, 3, 3, 4]; divisions by x use inputs kept ≥ 0.5 away from 0
const shape = [3, 3, 4];
const cases: [string, Body][] = [
  // constant second operand, every broadcast form
  ['Mul by a per-channel weight [C, 1, 1]', (b, x) => b.op('Mul', [x, b.weight([3, 1, 1])])],
  ['Mul by a scalar', (b, x) => b.op('Mul', [x, b.scalar(-1.7)])],
  ['Mul by a full weight [1, C, H, W]', (b, x) => b.op('Mul', [x, b.weight([1, 3, 3, 4])])],
  ['Mul by a row [W] (rank-1 broadcast)', (b, x) => b.op('Mul', [b.weight([4]), x])],
  ['Mul by [1, 1, H, 1]', (b, x) => b.op('Mul', [x, b.weight([1, 1, 3, 1])])],
  ['Add a per-channel bias, constant first', (b, x) => b.op('Tanh', [b.op('Add', [b.weight([3, 1, 1]), x])])],
  ['Add a scalar', (b, x) => b.op('Tanh', [b.op('Add', [x, b.scalar(0.3)])])],
  ['Sub a weight from x', (b, x) => b.op('Tanh', [b.op('Sub', [x, b.weight([1, 3, 1, 4])])])],
  ['Sub x from a weight', (b, x) => b.op('Sub', [b.weight([3, 1, 1]), b.op('Tanh', [x])])],
  ['Div by a per-channel weight', (b, x) => b.op('Div', [x, b.weight([3, 1, 1], 0, [2, -4, 0.5])])],
  ['Div of a scalar weight by x', (b, x) => b.op('Div', [b.scalar(1.5), x])],
  ['Div of a weight [C, 1, 1] by x', (b, x) => b.op('Div', [b.weight([3, 1, 1]), x])],
  // both operands variable
  ['Mul x · x (the same tensor twice)', (b, x) => b.op('Mul', [x, x])],
  ['Mul x · tanh(x)', (b, x) => b.op('Mul', [x, b.op('Tanh', [x])])],
  ['Mul by a variable [1, C, 1, 1] (SE block: x · sigmoid(GAP(x)))', (b, x) => b.op('Mul', [x, b.op('Sigmoid', [gap(b, x)])])],
  ['Mul of a variable [1, C, 1, 1] by x (operand order swapped)', (b, x) => b.op('Mul', [b.op('Tanh', [gap(b, x)]), x])],
  ['Add x + x', (b, x) => b.op('Add', [x, x])],
  ['Add x + GAP(x) (variable broadcast)', (b, x) => b.op('Tanh', [b.op('Add', [x, gap(b, x)])])],
  ['Sub x − GAP(x) (centering)', (b, x) => b.op('Mul', [b.op('Sub', [x, gap(b, x)]), b.weight([3, 1, 1])])],
  ['Sub GAP(x) − tanh(x)', (b, x) => b.op('Sub', [gap(b, b.op('Mul', [x, x])), b.op('Tanh', [x])])],
  ['Sub x − x (zero function, zero gradient)', (b, x) => b.op('Add', [b.op('Sub', [x, x]), b.op('Mul', [x, b.scalar(0.5)])])],
  ['Div x / x-dependent denominator', (b, x) => b.op('Div', [x, b.op('Add', [b.op('Sigmoid', [x]), b.scalar(1)])])],
  ['Div x / (1 + GAP(x²)) (variable broadcast denominator)', (b, x) => b.op('Div', [x, b.op('Add', [gap(b, b.op('Mul', [x, x])), b.scalar(1)])])],
  ['Div tanh(x) / x', (b, x) => b.op('Div', [b.op('Tanh', [x]), x])],
  ['Sum of one input', (b, x) => b.op('Sum', [b.op('Tanh', [x])])],
  ['Sum of three (x, tanh(x), a weight [C, 1, 1])', (b, x) => b.op('Sum', [x, b.op('Tanh', [x]), b.weight([3, 1, 1])])],
  ['Sum with a variable broadcast operand and x twice', (b, x) => b.op('Sum', [x, gap(b, b.op('Tanh', [x])), x])],
];

describe('arithmetic rules vs central differences', () => {
  const x = awayFrom(randn(36, rng(5), 1), [0], 0.5);
  for (const [name, body] of cases) {
    it(name, async () => {
      const tiny = await tinyClassifier(shape, body, { seed: 4 });
      await expectGradientMatches(tiny, { x, h: 1e-2 });
    });
  }

  it('a variable operand of lower rank than the output is refused with UnsupportedOpError', async () => {
    // Squeeze drops the batch: a [C, H, W] variable broadcast against [1, C, H, W]
    const tiny = await tinyClassifier(shape, (b, t) => b.op('Mul', [t, b.op('Squeeze', [b.op('Tanh', [t]), b.ints([0])])]));
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(() => buildHeadModels(analysis, 'x')).toThrow(UnsupportedOpError);
    expect(() => buildHeadModels(analysis, 'x')).toThrow(/Mul.*rank 3 is broadcast to rank 4/);
  });
});
