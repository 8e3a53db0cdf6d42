// The gradient compiler around the rules: unsupported ops, K seed rows, inner layers with side inputs, input gradients.
import { describe, it, expect } from 'vitest';
import { expectGradientMatches, inputHeadGradient, tinyClassifier, type TinyBuilder } from '../../../helpers/tiny-models.js';
import { ModelAnalysis } from '../../../../packages/core/src/onnx/analysis.js';
import { buildForwardModel, buildHeadModels, buildInputGradientModel, GRADIENTS, SEEDS } from '../../../../packages/core/src/autodiff/compile.js';
import { UnsupportedOpError } from '../../../../packages/core/src/autodiff/types.js';
import { encodeModel } from '../../../../packages/core/src/onnx/proto.js';
import { ort, randn, rng } from '../../../helpers/ort.js';

// conv → BN → relu → maxpool → concat(·, tanh ·) → GAP → Gemm: most rule families at once
const rich = (b: TinyBuilder, x: string) => {
  const c = b.op('Conv', [x, b.weight([4, 2, 3, 3]), b.weight([4])], { pads: [1, 1, 1, 1] });
  const n = b.op('BatchNormalization', [c, b.weight([4]), b.weight([4]), b.weight([4]), b.weight([4], 0, [1, 2, 0.5, 1])]);
  const p = b.op('MaxPool', [b.op('Relu', [n])], { kernel_shape: [2, 2], strides: [2, 2] });
  return b.op('GlobalAveragePool', [b.op('Concat', [p, b.op('Tanh', [p])], { axis: 1 })]);
};

describe('unsupported ops', () => {
  for (const [op, attrs] of [['Erf', {}], ['LRN', { size: 3 }]] as const) {
    it(`${op} fails with UnsupportedOpError naming the op type and the node`, async () => {
      const tiny = await tinyClassifier([2, 3, 3], (b, x) => b.op('Tanh', [b.op(op, [b.op('Relu', [x])], attrs)]));
      const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
      let err: unknown;
      try {
        buildHeadModels(analysis, 'x');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedOpError);
      const u = err as UnsupportedOpError;
      expect(u.opType).toBe(op);
      const nodeName = tiny.model.graph!.node!.find((n) => n.opType === op)!.name!;
      expect(nodeName).toMatch(new RegExp(`^${op.toLowerCase()}_`));
      expect(u.nodeName).toContain(nodeName);
      expect(u.message).toContain(op);
      expect(u.message).toContain(nodeName);
      expect(() => buildInputGradientModel(analysis)).toThrow(UnsupportedOpError);
    });
  }

  it('an unsupported op off the gradient path does not matter (computed from weights only, in the head)', async () => {
    // Erf of a weight, added to the features
    const tiny = await tinyClassifier([2, 3, 3], (b, x) => b.op('Add', [b.op('Tanh', [x]), b.op('Erf', [b.weight([2, 1, 1])])]));
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(buildHeadModels(analysis, 'x').sideInputs).toEqual([]);
    await expectGradientMatches(tiny, { h: 1e-2 });
    const s = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
    const out = await s.run({ x: new ort.Tensor('float32', randn(18, rng(1)), tiny.inputShape), [SEEDS]: new ort.Tensor('float32', Float32Array.of(1, 0, 0), [1, 3]) });
    expect(out[GRADIENTS].dims).toEqual([1, 2, 3, 3]);
  });

  it('weights computed from initializers (Cast, Reshape) are recomputed in the head, not side inputs', async () => {
    const tiny = await tinyClassifier([2, 4, 4], (b, x) => {
      const w = b.op('Reshape', [b.op('Cast', [b.weight([54])], { to: 1 }), b.ints([3, 2, 3, 3])]);
      return b.op('Conv', [x, w, b.op('Cast', [b.weight([3])], { to: 1 })], { pads: [1, 1, 1, 1] });
    });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(buildHeadModels(analysis, 'x').sideInputs).toEqual([]);
    await expectGradientMatches(tiny, { h: 1e-2 });
  });
});

describe('seed rows', () => {
  it('the head gradient for K seed rows is the K single-seed gradients stacked', async () => {
    const tiny = await tinyClassifier([2, 6, 6], rich, { classes: 5, seed: 17 });
    const x = randn(72, rng(18), 1);
    const C = 5;
    const K = 4;
    const seeds = new Float32Array(K * C);
    seeds[0 * C + 1] = 1; // one-hot rows
    seeds[1 * C + 4] = 1;
    seeds.set(randn(C, rng(19), 1), 2 * C); // a dense row
    seeds[3 * C + 1] = -2; // a scaled one-hot row
    const all = await inputHeadGradient(tiny, x, seeds);
    expect(all.length).toBe(K * 72);
    let gmax = 0;
    for (const v of all) gmax = Math.max(gmax, Math.abs(v));
    expect(gmax).toBeGreaterThan(0);
    for (let k = 0; k < K; k++) {
      const one = await inputHeadGradient(tiny, x, seeds.slice(k * C, (k + 1) * C));
      for (let i = 0; i < 72; i++) expect(Math.abs(one[i] - all[k * 72 + i])).toBeLessThanOrEqual(1e-6 * gmax);
    }
    // linearity in the seed: row 3 = −2 × row 0
    for (let i = 0; i < 72; i++) expect(Math.abs(all[3 * 72 + i] + 2 * all[i])).toBeLessThanOrEqual(1e-6 * gmax);
    // a zero seed row gives a zero gradient
    const zero = await inputHeadGradient(tiny, x, new Float32Array(C));
    expect(zero.every((v) => v === 0)).toBe(true);
  });

  it('the rich model matches central differences (kinks skipped)', async () => {
    const tiny = await tinyClassifier([2, 6, 6], rich, { classes: 5, seed: 17 });
    await expectGradientMatches(tiny, { h: 1e-2, kinks: 'skip', K: 3 });
  });
});

describe('layers inside the graph', () => {
  it('a residual block: the head reads a side input (the skip) and matches central differences', async () => {
    let layer = '';
    const tiny = await tinyClassifier([2, 5, 5], (b, x) => {
      const a = b.op('Conv', [x, b.weight([3, 2, 3, 3])], { pads: [1, 1, 1, 1] });
      layer = b.op('Relu', [a]);
      return b.op('Relu', [b.op('Add', [b.op('Conv', [layer, b.weight([3, 3, 3, 3])], { pads: [1, 1, 1, 1] }), a])]);
    }, { seed: 20 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    expect(buildHeadModels(analysis, layer).sideInputs.length).toBe(1);
    await expectGradientMatches(tiny, { layer, h: 1e-2, kinks: 'skip' });
  });

  it('a dense block: the head concatenates the layer with an earlier tensor', async () => {
    let layer = '';
    const tiny = await tinyClassifier([2, 4, 4], (b, x) => {
      const a = b.op('Tanh', [b.op('Conv', [x, b.weight([3, 2, 1, 1])])]);
      layer = b.op('Sigmoid', [b.op('Conv', [a, b.weight([2, 3, 3, 3])], { pads: [1, 1, 1, 1] })]);
      return b.op('Conv', [b.op('Concat', [a, layer], { axis: 1 }), b.weight([2, 5, 1, 1])]);
    }, { seed: 20 });
    await expectGradientMatches(tiny, { layer, h: 1e-2 });
  });

  it('building the head models leaves the analysed graph as it was (a batch-1 Reshape in the head)', async () => {
    const tiny = await tinyClassifier([2, 3, 4], (b, x) => b.op('Tanh', [b.op('Reshape', [x, b.ints([1, -1])])]), { seed: 20 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    const before = encodeModel(analysis.model);
    const head = buildHeadModels(analysis, 'x');
    expect(encodeModel(analysis.model)).toEqual(before);
    // the forward model built after it is valid, and the gradient model too
    const fwd = await ort.InferenceSession.create(encodeModel(buildForwardModel(analysis, ['x'])));
    await fwd.release();
    const gs = await ort.InferenceSession.create(encodeModel(head.gradient));
    await gs.release();
  });
});

describe('input gradients', () => {
  it('buildInputGradientModel equals the head gradient with the input as the layer', async () => {
    const tiny = await tinyClassifier([2, 6, 6], rich, { classes: 5, seed: 17 });
    const analysis = new ModelAnalysis(tiny.bytes, { input: 'x', inputShape: tiny.inputShape });
    const s = await ort.InferenceSession.create(encodeModel(buildInputGradientModel(analysis)));
    const x = randn(72, rng(21), 1);
    const seeds = randn(2 * 5, rng(22), 1);
    const got = (await s.run({ x: new ort.Tensor('float32', x, tiny.inputShape), [SEEDS]: new ort.Tensor('float32', seeds, [2, 5]) }))[GRADIENTS];
    expect(got.dims).toEqual([2, 2, 6, 6]);
    const head = await inputHeadGradient(tiny, x, seeds);
    const g = got.data as Float32Array;
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - head[i])).toBeLessThanOrEqual(1e-6);
  });
});
