// Backward rules of MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool vs central differences; max ties.
import { describe, it, expect } from 'vitest';
import {
  expectGradientMatches, inputHeadGradient, spaced, tinyClassifier, tinyFromBuilder, tinyModel, TinyBuilder,
} from '../../../helpers/tiny-models.js';
import { DataType, encodeModel } from '../../../../packages/core/src/onnx/proto.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildHeadModels } from '../../../../packages/core/src/autodiff/compile.js';
import { windowGeometry } from '../../../../packages/core/src/onnx/shapes.js';
import { ort, rng } from '../../../helpers/ort.js';

type Body = (b: TinyBuilder, x: string) => string;
type Case = [string, number[], Body];

// Max pools: inputs of distinct values ≥ 0.05 apart, h = 0.01, so that no window changes its
// maximum between x − h and x + h and every position must match.
const maxCases: Case[] = [
  ['MaxPool 2×2 stride 2', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })],
  ['MaxPool 2×2 stride 2, odd input (last row/column unused)', [2, 5, 5], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })],
  ['MaxPool 3×3 stride 1 (overlapping windows)', [2, 5, 5], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3] })],
  ['MaxPool 3×3 stride 2 pads 1 (overlapping, padded)', [2, 7, 7], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['MaxPool asymmetric pads [0, 1, 1, 0]', [2, 5, 5], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 1, 1, 0] })],
  ['MaxPool ceil_mode 3×3 stride 2 on 6×6', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })],
  ['MaxPool ceil_mode 3×3 stride 2 pads 1 on 6×7', [1, 6, 7], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 })],
  ['MaxPool non-square 2×3, strides [1, 2]', [2, 5, 7], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 3], strides: [1, 2] })],
  ['MaxPool dilated 2', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], dilations: [2, 2] })],
  ['MaxPool auto_pad SAME_UPPER stride 2', [2, 5, 5], (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' })],
  ['MaxPool auto_pad SAME_LOWER 3×3 stride 2', [2, 6, 6], (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' })],
  ['MaxPool that also outputs Indices', [2, 4, 4], (b, x) => b.opAll('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 2)[0]],
  ['MaxPool 1-D after a Reshape', [2, 3, 4], (b, x) => b.op('MaxPool', [b.op('Reshape', [x, b.ints([0, 2, 12])])], { kernel_shape: [3], strides: [2], pads: [1, 1] })],
  ['two MaxPools in a row', [1, 8, 8], (b, x) => b.op('MaxPool', [b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })], { kernel_shape: [2, 2] })],
  ['GlobalMaxPool', [3, 4, 4], (b, x) => b.op('GlobalMaxPool', [x])],
  ['GlobalMaxPool of a 3-D tensor (after a Reshape)', [3, 4, 4], (b, x) => b.op('GlobalMaxPool', [b.op('Reshape', [x, b.ints([0, 3, 16])])])],
];

// Average pools are linear: any input.
const avgCases: Case[] = [
  ['AveragePool 2×2 stride 2', [2, 6, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] })],
  ['AveragePool 2×2 stride 2, odd input (output padding)', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] })],
  ['AveragePool 1×1 stride 2', [2, 5, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [1, 1], strides: [2, 2] })],
  ['AveragePool 3×3 stride 1 (overlapping)', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3] })],
  ['AveragePool pads 1, count_include_pad 0', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['AveragePool pads 1, count_include_pad 1', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })],
  ['AveragePool asymmetric pads [0, 1, 2, 1], count_include_pad 0', [2, 6, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 1], pads: [0, 1, 2, 1] })],
  ['AveragePool asymmetric pads [0, 1, 2, 1], count_include_pad 1', [2, 6, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 1], pads: [0, 1, 2, 1], count_include_pad: 1 })],
  ['AveragePool ceil_mode 3×3 stride 2 on 6×6', [2, 6, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })],
  ['AveragePool ceil_mode with pads 1, count_include_pad 0', [2, 6, 7], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 })],
  ['AveragePool ceil_mode with pads 1, count_include_pad 1', [2, 6, 7], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 })],
  ['AveragePool auto_pad SAME_UPPER stride 2', [2, 5, 5], (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' })],
  ['AveragePool auto_pad SAME_LOWER 3×3 stride 2', [2, 6, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' })],
  ['AveragePool non-square 2×3 strides [2, 1]', [2, 5, 6], (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 3], strides: [2, 1] })],
  ['AveragePool 1×1 stride 1 (VGG-style no-op)', [2, 3, 3], (b, x) => b.op('AveragePool', [x], { kernel_shape: [1, 1] })],
  ['GlobalAveragePool', [3, 4, 5], (b, x) => b.op('GlobalAveragePool', [x])],
  ['GlobalAveragePool of x²', [3, 4, 5], (b, x) => b.op('GlobalAveragePool', [b.op('Mul', [x, x])])],
  ['GlobalAveragePool of a 3-D tensor (after a Reshape)', [3, 4, 4], (b, x) => b.op('GlobalAveragePool', [b.op('Reshape', [x, b.ints([0, 3, 16])])])],
];

describe('max pooling rules vs central differences', () => {
  for (const [name, input, body] of maxCases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 6 });
      const n = input.reduce((a, b) => a * b, 1);
      await expectGradientMatches(tiny, { x: spaced(n, rng(8)), h: 1e-2 });
    });
  }
});

describe('average pooling rules vs central differences', () => {
  for (const [name, input, body] of avgCases) {
    it(name, async () => {
      const tiny = await tinyClassifier(input, body, { seed: 6 });
      await expectGradientMatches(tiny, { h: 1e-2 });
    });
  }
});

/** Per window (row-major), the first maximum in scan order as a flat index, and how often the maximum occurs. */
function windowMaxima(x: Float32Array, H: number, W: number, k: number, s: number): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  for (let oh = 0; oh + k <= H; oh += s) {
    for (let ow = 0; ow + k <= W; ow += s) {
      let best = -1;
      let count = 0;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        const i = (oh + a) * W + ow + b;
        if (best < 0 || x[i] > x[best]) [best, count] = [i, 1];
        else if (x[i] === x[best]) count++;
      }
      out.push({ first: best, count });
    }
  }
  return out;
}

describe('max ties', () => {
  // x [1, 1, 4, 4] → MaxPool → Flatten → Gemm with the identity: logit j is pooled output j, and the
  // seed e_j gives d(pool_j)/dx, which must be one-hot at the window's first maximum.
  const x = Float32Array.from([
    1, 3, 3, 0,
    3, 2, 0, 3,
    5, 5, 1, 1,
    5, 5, 1, 1,
  ]);
  for (const [k, s] of [[2, 2], [2, 1], [3, 1]]) {
    it(`MaxPool ${k}×${k} stride ${s}: a tie sends the gradient to the first maximum, where ONNX Runtime's Indices point`, async () => {
      const P = (Math.floor((4 - k) / s) + 1) ** 2;
      const b = new TinyBuilder();
      const pooled = b.op('MaxPool', ['x'], { kernel_shape: [k, k], strides: [s, s] });
      const flat = b.op('Flatten', [pooled], { axis: 1 });
      const eye = new Float32Array(P * P);
      for (let j = 0; j < P; j++) eye[j * P + j] = 1;
      b.op('Gemm', [flat, b.weight([P, P], 0, eye)], { transB: 1 });
      const logits = b.nodes[b.nodes.length - 1].output![0];
      const tiny = tinyFromBuilder(b, [1, 1, 4, 4], logits, P);
      const g = await inputHeadGradient(tiny, x, eye);
      // ONNX Runtime's own choice
      const ref = new TinyBuilder();
      const [, idx] = ref.opAll('MaxPool', ['x'], { kernel_shape: [k, k], strides: [s, s] }, 2);
      const m = tinyModel({ input: [1, 1, 4, 4], nodes: ref.nodes, output: idx, outputType: DataType.INT64 });
      const sess = await ort.InferenceSession.create(encodeModel(m));
      const ortIdx = Array.from((await sess.run({ x: new ort.Tensor('float32', x, [1, 1, 4, 4]) }))[idx].data as BigInt64Array, Number);
      const maxima = windowMaxima(x, 4, 4, k, s);
      const first = maxima.map((m) => m.first);
      expect(ortIdx).toEqual(first);
      expect(maxima.filter((m) => m.count > 1).length).toBeGreaterThanOrEqual(2); // the case has ties
      for (let j = 0; j < P; j++) {
        const row = Array.from(g.subarray(j * 16, (j + 1) * 16));
        const expected = new Array(16).fill(0);
        expected[first[j]] = 1;
        expect(row).toEqual(expected);
      }
    });
  }

  it('GlobalMaxPool shares the gradient among tied maxima (as torch.amax)', async () => {
    const b = new TinyBuilder();
    const flat = b.op('Flatten', [b.op('GlobalMaxPool', ['x'])], { axis: 1 });
    b.op('Gemm', [flat, b.weight([1, 1], 0, [1])], { transB: 1 });
    const tiny = tinyFromBuilder(b, [1, 1, 4, 4], b.nodes[b.nodes.length - 1].output![0], 1);
    const g = await inputHeadGradient(tiny, x, Float32Array.of(1));
    expect(Array.from(g)).toEqual(Array.from(x, (v) => (v === 5 ? 0.25 : 0)));
  });
});

describe('ceil-mode geometry', () => {
  // ONNX Runtime drops a ceil-mode window that would start in the right padding (its kernels do;
  // its bundled shape inference does not, so such a model cannot feed a static-shape consumer and
  // the gradient is not checked here); windowGeometry must agree with the kernels.
  for (const op of ['MaxPool', 'AveragePool']) {
    for (const [size, k, s, p] of [[5, 2, 2, 1], [6, 3, 2, 1], [7, 3, 2, 1], [6, 3, 2, 0], [4, 2, 3, 1]]) {
      it(`${op} ${k}×${k} stride ${s} pads ${p} on ${size}×${size}`, async () => {
        const b = new TinyBuilder();
        const attrs = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], ceil_mode: 1 };
        const y = b.op(op, ['x'], attrs);
        const m = tinyModel({ input: [1, 1, size, size], nodes: b.nodes, output: y });
        const sess = await ort.InferenceSession.create(encodeModel(m));
        const out = (await sess.run({ x: new ort.Tensor('float32', new Float32Array(size * size), [1, 1, size, size]) }))[y];
        expect(windowGeometry(b.nodes[0], [1, 1, size, size]).outSpatial).toEqual(out.dims.slice(2));
      });
    }
  }
});

describe('pool rules, refusals', () => {
  it('AveragePool over a 1-D window is refused with UnsupportedOpError naming the node', async () => {
    const tiny = await tinyClassifier([2, 3, 4], (b, x) => b.op('AveragePool', [b.op('Reshape', [x, b.ints([0, 2, 12])])], { kernel_shape: [2], strides: [2] }));
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(() => buildHeadModels(analysis, 'x')).toThrow(/AveragePool.*averagepool_/);
  });
});
