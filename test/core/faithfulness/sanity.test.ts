// The cascading-randomisation sanity check on a tiny two-conv classifier: layers found top first,
// truncated-normal weights with the closed-form spread, and the paper's logic: a map computed from
// the target layer's activations alone (EigenCAM) cannot change while only the head above that
// layer is random, whereas Grad-CAM, which reads the head's gradients, does.
import { describe, expect, it } from 'vitest';
import { cascadingRandomisation, parametrisedLayers, randomLike } from '../../../packages/core/src/faithfulness/sanity.js';
import { seededRandom } from '../../../packages/core/src/metrics/random.js';
import { decodeModel, makeFloatTensor, tensorValues } from '../../../packages/core/src/onnx/proto.js';
import type { ModelSpec } from '../../../packages/core/src/model/spec.js';
import { ort } from '../../helpers/ort.js';
import { tinyClassifier, type TinyBuilder } from '../../helpers/tiny-models.js';
import { uniform } from './linear-model.js';

describe('randomLike', () => {
  it('draws N(0, σ²) truncated at ±2σ: sd = σ·√(1 − 4φ(2)/(2Φ(2) − 1)) ≈ 0.8796 σ', () => {
    const t = makeFloatTensor('w', [100, 200], Array.from({ length: 20000 }, (_, i) => (i % 2 ? 3 : -3)));
    const v = tensorValues(randomLike(t, seededRandom(1)));
    expect(v.length).toBe(20000);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI); // φ(2) = 0.05399
    const mass = 0.9544997361036416; // 2Φ(2) − 1
    expect(sd).toBeCloseTo(3 * Math.sqrt(1 - (4 * phi2) / mass), 1); // 2.639 ± 0.05
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(6);
  });
});

describe('cascadingRandomisation', async () => {
  let target = '';
  const tiny = await tinyClassifier([3, 8, 8], (b: TinyBuilder, x: string) => {
    const c1 = b.op('Relu', [b.op('Conv', [x, b.weight([4, 3, 3, 3], 0.4), b.weight([4], 0.1)], { pads: [1, 1, 1, 1] })]);
    target = b.op('Relu', [b.op('Conv', [c1, b.weight([6, 4, 3, 3], 0.3), b.weight([6], 0.1)], { pads: [1, 1, 1, 1] })]);
    return target;
  }, { classes: 3, seed: 5 });
  const spec: ModelSpec = {
    id: 'tiny', task: 'classification', file: 'tiny.onnx', labels: [], targetLayer: target,
    input: { name: 'x', height: 8, width: 8, layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' },
    output: { name: 'logits', kind: 'logits' },
  };
  const labels = ['a', 'b', 'c'];
  const r = uniform(2);
  const input = Float32Array.from({ length: 192 }, () => r() * 2 - 1);

  it('finds the Conv/Gemm layers from the top down', () => {
    const layers = parametrisedLayers(decodeModel(tiny.bytes));
    expect(layers.map((l) => l.name)).toEqual(['classifier', expect.stringMatching(/^conv_/), expect.stringMatching(/^conv_/)]);
    expect(layers.every((l) => l.tensors.length === 2)).toBe(true);
  });

  it('EigenCAM stays identical while only the head is random; Grad-CAM does not', async () => {
    const res = await cascadingRandomisation(ort, tiny.bytes, spec, labels, input, 0, { methods: ['gradcam', 'eigencam'], seed: 3 });
    expect(res.layers).toHaveLength(3);
    const [grad, eigen] = res.curves;
    expect(grad.spearman).toHaveLength(3);
    expect(eigen.spearman[0]).toBeCloseTo(1, 12);
    expect(eigen.ssim[0]).toBeCloseTo(1, 12);
    expect(grad.spearman[0]).toBeLessThan(0.9);
    // once the convolution under the target layer is random, EigenCAM's map changes too
    expect(eigen.spearman[1]).toBeLessThan(0.9);
    for (const c of res.curves) for (const v of [...c.spearman, ...c.ssim]) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-9);
    const again = await cascadingRandomisation(ort, tiny.bytes, spec, labels, input, 0, { methods: ['gradcam', 'eigencam'], seed: 3, layers: 1 });
    expect(again.curves[0].spearman).toEqual([grad.spearman[0]]);
    expect(again.curves[1].passes).toBe(false);
  });
});
